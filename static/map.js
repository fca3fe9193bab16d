/* Mistok: interactive maps and the report form's place picker, a progressive enhancement.
 *
 * Every page works without JavaScript: a map page has a server-rendered SVG map and a text
 * alternative, which this script leaves alone, and the report form has two text inputs, lat
 * and lon. With JavaScript (and /assets/leaflet.js loaded before this file), each
 *
 *   <div class="map-live" hidden
 *        data-geojson="/…/map.geojson"       GeoJSON FeatureCollection to draw (same origin)
 *        data-tiles="https://…/{z}/{x}/{y}.png"  tile URL template, or empty for no tiles
 *        data-attribution="© …"            plain text shown for the tiles
 *        data-lat="48.6" data-lon="37.6" data-zoom="9"   view before the data is loaded
 *        data-label-cases="{count} cases"   name of a group of case points ({count} replaced)
 *        data-label-reports="{count} reports"  text for an area or place without a label
 *        data-label-error="…">              shown in the map when the data cannot be loaded
 *
 * is shown and filled with the same data. Its data-state becomes "loading", then "ready" or
 * "error", so that the page's CSS may decide what to do with the server-rendered map.
 *
 * Features carry properties.layer: "community" (Point, count, label, url?), "cell" and
 * "hotspot" (Polygon, count, label, change?), "point" (Point, label, url: staff only).
 *
 * Each
 *
 *   <fieldset class="place-picker"
 *             data-tiles="https://…/{z}/{x}/{y}.png"  tile URL template, or empty for no tiles
 *             data-attribution="© …"              plain text shown for the tiles
 *             data-communities="/api/v1/communities"  JSON: [{code, name, lat, lon}, …]
 *             data-lat="48.6" data-lon="37.6" data-zoom="9"   view when no point is set
 *             data-label-hint="Click the map to place the point"
 *             data-label-clear="Remove the point">
 *     <legend>…</legend> <p class="hint">…</p>
 *     … <input name="lat"> … <input name="lon"> …
 *   </fieldset>
 *
 * gets a map after its legend and hints: clicking the map fills both inputs, typing in them
 * moves the point, and a button clears them. The inputs stay visible and editable; the server
 * validates what is sent. The communities are drawn with their names so that the map means
 * something without tiles.
 *
 * Server strings only ever reach the page as textContent, never as HTML.
 */
(function () {
  'use strict';

  var ACCENT = '#0b5c74';
  var WARM = '#b3261e';
  var DARK = '#1b2328';
  var GREY = '#68737d';
  // Above this many case points in (or near) the view, they are grouped on a pixel grid.
  var CLUSTER_ABOVE = 300;
  var CLUSTER_CELL_PX = 60;
  // Zooming in further than this on a few features only shows an empty background.
  var FIT_MAX_ZOOM = 13;
  var DECIMALS = 5; // about a metre

  // Shared by both kinds of map.

  function number(value, fallback) {
    var n = parseFloat(value);
    return isFinite(n) ? n : fallback;
  }

  // Leaflet inserts attributions as HTML; ours is configured as plain text.
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // The map in container, with the view and the tiles that data (the element's dataset) give.
  function baseMap(container, data) {
    var map = L.map(container, {
      center: [number(data.lat, 48.6), number(data.lon, 37.6)],
      zoom: number(data.zoom, 9),
      minZoom: 3,
      maxZoom: 18,
      // The page scrolls past the map until the map is clicked or focused.
      scrollWheelZoom: false
    });
    map.on('focus', function () { map.scrollWheelZoom.enable(); });
    map.on('blur', function () { map.scrollWheelZoom.disable(); });
    L.control.scale({ imperial: false }).addTo(map);
    if (data.tiles) {
      L.tileLayer(data.tiles, {
        attribution: data.attribution ? escapeHtml(data.attribution) : '',
        maxZoom: 18
      }).addTo(map);
    }
    // A map in a closed <details>, or one whose column changes width, measures itself again.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize(); }).observe(container);
    }
    return map;
  }

  function fetchJson(url, accept) {
    return fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: accept }
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    });
  }

  // A permanent label to the right of a circle marker, dx pixels away; returns its tooltip.
  function bindLabel(marker, text, dx) {
    marker.bindTooltip(el('span', null, text), {
      permanent: true,
      direction: 'right',
      offset: [dx, 0],
      className: 'map-label',
      interactive: false
    });
    return marker.getTooltip();
  }

  // Hides the permanent labels that would overlap one drawn before them (tooltips are given
  // most important first). All rectangles are read before any class is written, so the page
  // is laid out once, not once per label.
  function declutter(tooltips) {
    var elements = tooltips.map(function (t) { return t.getElement(); }).filter(Boolean);
    elements.forEach(function (e) { e.classList.remove('map-label-hidden'); });
    var rects = elements.map(function (e) { return e.getBoundingClientRect(); });
    var shown = [];
    var hide = rects.map(function (r) {
      var clash = shown.some(function (s) {
        return r.left < s.right && r.right > s.left && r.top < s.bottom && r.bottom > s.top;
      });
      if (!clash) shown.push(r);
      return clash;
    });
    elements.forEach(function (e, i) { if (hide[i]) e.classList.add('map-label-hidden'); });
  }

  // Declutters the labels now and after every zoom.
  function declutterOnZoom(map, tooltips) {
    var tidy = function () { declutter(tooltips); };
    map.on('zoomend', tidy);
    tidy();
  }

  // The maps of reports: <div class="map-live">.

  // "{count} cases" with the count in; a template without {count} gets it in front.
  function countText(template, count) {
    if (!template) return String(count);
    return template.indexOf('{count}') >= 0
      ? template.split('{count}').join(String(count))
      : count + ' ' + template;
  }

  // Only links to web pages: a javascript: URL in the data must not become clickable.
  function safeUrl(url) {
    if (!url) return null;
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? String(url) : null;
    } catch (e) {
      return null;
    }
  }

  // A popup's content: the label, as a link when there is a page to go to.
  function popupContent(label, url) {
    var p = el('p', 'map-popup-label');
    var href = safeUrl(url);
    if (href) {
      var a = el('a', null, label);
      a.href = href;
      p.appendChild(a);
    } else {
      p.textContent = label;
    }
    return p;
  }

  function pointLatLng(feature) {
    var g = feature.geometry;
    if (!g || g.type !== 'Point' || !Array.isArray(g.coordinates)) return null;
    var lon = Number(g.coordinates[0]);
    var lat = Number(g.coordinates[1]);
    return isFinite(lat) && isFinite(lon) ? L.latLng(lat, lon) : null;
  }

  function count(feature) {
    var n = Number(feature.properties.count);
    return isFinite(n) && n > 0 ? n : 0;
  }

  function maxCount(features) {
    return features.reduce(function (max, f) { return Math.max(max, count(f)); }, 0);
  }

  function labelOf(feature, labels) {
    var label = feature.properties.label;
    return label ? String(label) : countText(labels.reports, count(feature));
  }

  // Squares of the grid and hotspots: the denser, the more opaque (0.15 to 0.7, relative to
  // the densest area of the same layer).
  function drawAreas(map, features, colour, labels, style) {
    var max = maxCount(features);
    return L.geoJSON(features, {
      style: function (f) {
        var s = {
          color: colour,
          weight: 0.5,
          opacity: 0.7,
          fillColor: colour,
          fillOpacity: 0.15 + 0.55 * (max > 0 ? count(f) / max : 0)
        };
        return style ? style(f, s) : s;
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popupContent(labelOf(f, labels), null));
      }
    }).addTo(map);
  }

  // Communities: a circle whose area grows with the count, and a permanent label.
  function drawCommunities(map, features, labels) {
    var group = L.featureGroup().addTo(map);
    var tooltips = [];
    // Area proportional to the count (radius to its square root); the scale is shrunk when
    // needed so that the biggest place stays within 40 px.
    var scale = Math.min(3, 40 / Math.sqrt(Math.max(1, maxCount(features))));
    // Biggest first, so that the small circles stay on top and can be clicked.
    features.slice().sort(function (a, b) { return count(b) - count(a); }).forEach(function (f) {
      var latlng = pointLatLng(f);
      if (!latlng) return;
      var label = labelOf(f, labels);
      var marker = L.circleMarker(latlng, {
        radius: Math.max(4, Math.min(40, scale * Math.sqrt(count(f)))),
        color: ACCENT,
        weight: 1.5,
        opacity: 0.9,
        fillColor: ACCENT,
        fillOpacity: 0.35
      });
      tooltips.push(bindLabel(marker, label, 6));
      marker.bindPopup(popupContent(label, f.properties.url));
      group.addLayer(marker);
    });
    declutterOnZoom(map, tooltips);
    return group;
  }

  // Exact case locations (staff only). Beyond CLUSTER_ABOVE points near the view, points that
  // fall in the same CLUSTER_CELL_PX square at the current zoom are drawn as one numbered
  // circle; clicking it zooms in on them, or lists them when they cannot be told apart.
  function drawPoints(map, features, labels) {
    var points = [];
    features.forEach(function (f) {
      var latlng = pointLatLng(f);
      if (latlng) points.push({ latlng: latlng, feature: f, marker: null });
    });
    var group = L.layerGroup().addTo(map);

    function pointMarker(p) {
      if (!p.marker) {
        p.marker = L.circleMarker(p.latlng, {
          radius: 5,
          color: '#fff',
          weight: 1,
          fillColor: DARK,
          fillOpacity: 0.9
        }).bindPopup(popupContent(String(p.feature.properties.label || ''), p.feature.properties.url));
      }
      return p.marker;
    }

    function listPopup(members) {
      var box = el('div');
      box.appendChild(el('p', 'map-popup-label', countText(labels.cases, members.length)));
      var list = el('ul', 'map-popup-list');
      members.forEach(function (p) {
        var item = el('li');
        item.appendChild(popupContent(String(p.feature.properties.label || ''), p.feature.properties.url));
        list.appendChild(item);
      });
      box.appendChild(list);
      return box;
    }

    function clusterMarker(members) {
      var lat = 0, lon = 0;
      members.forEach(function (p) { lat += p.latlng.lat; lon += p.latlng.lng; });
      var centre = L.latLng(lat / members.length, lon / members.length);
      var size = members.length < 10 ? 26 : members.length < 100 ? 32 : members.length < 1000 ? 38 : 44;
      var title = countText(labels.cases, members.length);
      var marker = L.marker(centre, {
        icon: L.divIcon({
          className: 'map-cluster',
          html: el('span', null, String(members.length)),
          iconSize: [size, size]
        }),
        title: title,
        keyboard: true
      });
      // The icon reads "123" on its own; its accessible name says what is counted.
      marker.on('add', function () { marker.getElement().setAttribute('aria-label', title); });
      marker.on('click', function () {
        var bounds = L.latLngBounds(members.map(function (p) { return p.latlng; }));
        var same = bounds.getNorthEast().equals(bounds.getSouthWest());
        if (same || map.getZoom() >= map.getMaxZoom()) {
          L.popup().setLatLng(centre).setContent(listPopup(members)).openOn(map);
        } else {
          map.fitBounds(bounds, { padding: [CLUSTER_CELL_PX, CLUSTER_CELL_PX] });
        }
      });
      return marker;
    }

    function redraw() {
      var zoom = map.getZoom();
      // Half a screen around the view, so that panning shows points before moveend.
      var near = map.getBounds().pad(0.5);
      var visible = points.filter(function (p) { return near.contains(p.latlng); });
      var next = [];
      if (visible.length <= CLUSTER_ABOVE) {
        next = visible.map(pointMarker);
      } else {
        // Squares in absolute pixels at this zoom: the grid does not shift when the map pans.
        var cells = {};
        visible.forEach(function (p) {
          var px = map.project(p.latlng, zoom);
          var key = Math.floor(px.x / CLUSTER_CELL_PX) + ':' + Math.floor(px.y / CLUSTER_CELL_PX);
          (cells[key] = cells[key] || []).push(p);
        });
        next = Object.keys(cells).map(function (key) {
          var members = cells[key];
          return members.length === 1 ? pointMarker(members[0]) : clusterMarker(members);
        });
      }
      // Only the markers that change are swapped: removing a marker closes its popup, and
      // opening a popup near the edge pans the map, which brings us here.
      var wanted = {};
      next.forEach(function (layer) { wanted[L.stamp(layer)] = true; });
      group.eachLayer(function (layer) {
        if (!wanted[L.stamp(layer)]) group.removeLayer(layer);
      });
      next.forEach(function (layer) {
        if (!group.hasLayer(layer)) group.addLayer(layer);
      });
    }

    // moveend also follows every zoom.
    map.on('moveend', redraw);
    redraw();
    return points.map(function (p) { return p.latlng; });
  }

  function showMessage(container, text) {
    var message = el('p', 'map-message', text);
    message.setAttribute('role', 'status');
    container.appendChild(message);
  }

  function draw(map, collection, labels) {
    var features = (collection && Array.isArray(collection.features) ? collection.features : [])
      .filter(function (f) { return f && f.geometry && f.properties; });
    var byLayer = { community: [], cell: [], hotspot: [], point: [] };
    // Layers this script does not know are skipped: the server may grow new ones.
    features.forEach(function (f) {
      if (byLayer[f.properties.layer]) byLayer[f.properties.layer].push(f);
    });

    var bounds = L.latLngBounds([]);
    // Drawn bottom to top: areas, then places, then single cases.
    if (byLayer.cell.length) {
      bounds.extend(drawAreas(map, byLayer.cell, ACCENT, labels).getBounds());
    }
    if (byLayer.hotspot.length) {
      bounds.extend(drawAreas(map, byLayer.hotspot, WARM, labels, function (f, s) {
        // Growing since the previous period: a thicker outline.
        s.weight = Number(f.properties.change) > 0 ? 3 : 1;
        s.opacity = 0.9;
        return s;
      }).getBounds());
    }
    if (byLayer.community.length) {
      bounds.extend(drawCommunities(map, byLayer.community, labels).getBounds());
    }
    if (byLayer.point.length) {
      drawPoints(map, byLayer.point, labels).forEach(function (latlng) { bounds.extend(latlng); });
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: FIT_MAX_ZOOM });
    }
  }

  function enhanceMap(container) {
    if (container.getAttribute('data-state')) return; // already done
    var data = container.dataset;
    var labels = { cases: data.labelCases || '', reports: data.labelReports || '' };
    var errorText = data.labelError || 'The map could not be loaded.';

    // Shown before the map is made, so that Leaflet measures its real size.
    container.hidden = false;
    container.setAttribute('data-state', 'loading');
    container.setAttribute('aria-busy', 'true');

    var map = baseMap(container, data);

    var done = function (state) {
      container.setAttribute('data-state', state);
      container.removeAttribute('aria-busy');
    };
    if (!data.geojson) {
      done('ready');
      return;
    }
    fetchJson(data.geojson, 'application/geo+json, application/json')
      .then(function (collection) {
        draw(map, collection, labels);
        done('ready');
      })
      .catch(function (error) {
        if (window.console) console.warn('map data not loaded:', error);
        showMessage(container, errorText);
        done('error');
      });
  }

  // The place picker: <fieldset class="place-picker">.

  // A coordinate as typed: a comma is accepted as the decimal separator; null when not a
  // number or out of range.
  function coordinate(text, limit) {
    var trimmed = String(text).trim().replace(',', '.');
    if (!/^[-+]?\d+(\.\d*)?$|^[-+]?\.\d+$/.test(trimmed)) return null;
    var n = parseFloat(trimmed);
    return Math.abs(n) <= limit ? n : null;
  }

  // The map goes after the legend and the hints that follow it.
  function insertionPoint(fieldset) {
    var after = null;
    var node = fieldset.firstElementChild;
    if (node && node.tagName === 'LEGEND') {
      after = node;
      node = node.nextElementSibling;
    }
    while (node && node.classList.contains('hint')) {
      after = node;
      node = node.nextElementSibling;
    }
    return after ? after.nextSibling : fieldset.firstChild;
  }

  // The communities' names, so that the map means something without tiles.
  function drawPlaceNames(map, body) {
    var list = Array.isArray(body) ? body : body && Array.isArray(body.communities) ? body.communities : [];
    var tooltips = [];
    list.forEach(function (c) {
      if (!c || c.lat == null || c.lon == null) return;
      var lat = Number(c.lat);
      var lon = Number(c.lon);
      if (!isFinite(lat) || !isFinite(lon)) return;
      // Not interactive: a click on a place puts the point there, as anywhere else.
      var marker = L.circleMarker([lat, lon], {
        radius: 4,
        color: '#fff',
        weight: 1,
        fillColor: GREY,
        fillOpacity: 0.9,
        interactive: false
      }).addTo(map);
      tooltips.push(bindLabel(marker, String(c.name || c.code || ''), 5));
    });
    declutterOnZoom(map, tooltips);
  }

  function enhancePicker(fieldset) {
    if (fieldset.querySelector('.place-picker-map')) return; // already done
    var latInput = fieldset.querySelector('input[name="lat"]');
    var lonInput = fieldset.querySelector('input[name="lon"]');
    if (!latInput || !lonInput) return;
    var data = fieldset.dataset;

    var before = insertionPoint(fieldset);
    var hint = null;
    if (data.labelHint) {
      hint = el('p', 'hint place-picker-hint');
      hint.id = (latInput.id || 'place-picker') + '-map-hint';
      hint.textContent = data.labelHint;
      fieldset.insertBefore(hint, before);
    }
    var container = el('div', 'place-picker-map');
    if (hint) container.setAttribute('aria-describedby', hint.id);
    fieldset.insertBefore(container, before);
    var actions = el('p', 'place-picker-actions');
    var clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'button button-secondary place-picker-clear';
    clear.textContent = data.labelClear || '×';
    actions.appendChild(clear);
    fieldset.insertBefore(actions, before);

    var map = baseMap(container, data);

    // The chosen point is drawn above the names of places, which could otherwise cover it.
    map.createPane('place-picker-point').style.zIndex = 700;
    var marker = null;
    function showPoint(latlng, pan) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          pane: 'place-picker-point',
          radius: 8,
          color: '#fff',
          weight: 2,
          fillColor: ACCENT,
          fillOpacity: 1,
          interactive: false
        }).addTo(map);
      }
      if (pan && !map.getBounds().contains(latlng)) map.panTo(latlng);
    }
    function hidePoint() {
      if (marker) {
        map.removeLayer(marker);
        marker = null;
      }
    }
    function setInput(input, value) {
      input.value = value;
      // For any other script listening to the form (the inputs' own events do not fire).
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    function fromInputs(pan) {
      var lat = coordinate(latInput.value, 90);
      var lon = coordinate(lonInput.value, 180);
      if (lat == null || lon == null) hidePoint();
      else showPoint(L.latLng(lat, lon), pan);
    }

    var typing = false;
    map.on('click', function (event) {
      // Leaflet lets the world repeat sideways; the inputs take the longitude in -180..180.
      var latlng = event.latlng.wrap();
      typing = true;
      setInput(latInput, latlng.lat.toFixed(DECIMALS));
      setInput(lonInput, latlng.lng.toFixed(DECIMALS));
      typing = false;
      showPoint(latlng, false);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener('input', function () { if (!typing) fromInputs(true); });
    });
    clear.addEventListener('click', function () {
      typing = true;
      setInput(latInput, '');
      setInput(lonInput, '');
      typing = false;
      hidePoint();
    });

    // A form shown again (with errors) keeps its point: start there, closer in when there are
    // tiles to show the streets (without them, zooming in only shows an empty background).
    fromInputs(false);
    if (marker) map.setView(marker.getLatLng(), data.tiles ? Math.max(map.getZoom(), 15) : map.getZoom());

    if (data.communities && window.fetch) {
      fetchJson(data.communities, 'application/json')
        .then(function (body) { drawPlaceNames(map, body); })
        .catch(function (error) {
          // Only the names are missing: the map still places points.
          if (window.console) console.warn('communities not loaded:', error);
        });
    }
  }

  function start() {
    if (!window.L) return; // the server-rendered maps and the inputs alone do the job
    // Without fetch, the server-rendered map stays the map (the place picker only goes without
    // the names of places).
    if (window.fetch) {
      Array.prototype.forEach.call(document.querySelectorAll('.map-live'), enhanceMap);
    }
    Array.prototype.forEach.call(document.querySelectorAll('fieldset.place-picker'), enhancePicker);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
