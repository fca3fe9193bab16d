/* Mistok: interactive maps, a progressive enhancement.
 *
 * Every map page works without JavaScript: the server renders an SVG map and a text
 * alternative, which this script leaves alone. With JavaScript (and /assets/leaflet.js loaded
 * before this file), each
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
 * Server strings only ever reach the page as textContent, never as HTML.
 */
(function () {
  'use strict';

  var ACCENT = '#0b5c74';
  var WARM = '#b3261e';
  var DARK = '#1b2328';
  // Above this many case points in (or near) the view, they are grouped on a pixel grid.
  var CLUSTER_ABOVE = 300;
  var CLUSTER_CELL_PX = 60;
  // Zooming in further than this on a few features only shows an empty background.
  var FIT_MAX_ZOOM = 13;

  function number(value, fallback) {
    var n = parseFloat(value);
    return isFinite(n) ? n : fallback;
  }

  // "{count} cases" with the count in; a template without {count} gets it in front.
  function countText(template, count) {
    if (!template) return String(count);
    return template.indexOf('{count}') >= 0
      ? template.split('{count}').join(String(count))
      : count + ' ' + template;
  }

  // Leaflet inserts attributions as HTML; ours is configured as plain text.
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
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

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
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
      marker.bindTooltip(el('span', null, label), {
        permanent: true,
        direction: 'right',
        offset: [6, 0],
        className: 'map-label'
      });
      marker.bindPopup(popupContent(label, f.properties.url));
      group.addLayer(marker);
      tooltips.push(marker.getTooltip());
    });
    var tidy = function () { declutter(tooltips); };
    map.on('zoomend', tidy);
    tidy();
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

  function enhance(container) {
    if (container.getAttribute('data-state')) return; // already done
    var data = container.dataset;
    var labels = { cases: data.labelCases || '', reports: data.labelReports || '' };
    var errorText = data.labelError || 'The map could not be loaded.';

    // Shown before the map is made, so that Leaflet measures its real size.
    container.hidden = false;
    container.setAttribute('data-state', 'loading');
    container.setAttribute('aria-busy', 'true');

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
    // A map in a closed <details> or a resized column has to measure itself again.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize(); }).observe(container);
    }

    var done = function (state) {
      container.setAttribute('data-state', state);
      container.removeAttribute('aria-busy');
    };
    if (!data.geojson) {
      done('ready');
      return;
    }
    fetch(data.geojson, {
      credentials: 'same-origin',
      headers: { Accept: 'application/geo+json, application/json' }
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
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

  function start() {
    if (!window.L || !window.fetch) return; // the server-rendered map stays the map
    Array.prototype.forEach.call(document.querySelectorAll('.map-live'), enhance);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
