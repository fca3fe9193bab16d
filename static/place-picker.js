/* Mistok: choosing the place of a report on a map, a progressive enhancement.
 *
 * Without JavaScript the report form has two text inputs, lat and lon. With JavaScript (and
 * /assets/leaflet.js loaded before this file), each
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
 */
(function () {
  'use strict';

  var ACCENT = '#0b5c74';
  var GREY = '#68737d';
  var DECIMALS = 5; // about a metre

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

  // A coordinate as typed: a comma is accepted as the decimal separator; null when not a
  // number or out of range.
  function coordinate(text, limit) {
    var trimmed = String(text).trim().replace(',', '.');
    if (!/^[-+]?\d+(\.\d*)?$|^[-+]?\.\d+$/.test(trimmed)) return null;
    var n = parseFloat(trimmed);
    return Math.abs(n) <= limit ? n : null;
  }

  // Hides the permanent labels that would overlap one drawn before them. All rectangles are
  // read before any class is written, so the page is laid out once, not once per label.
  // (The same as in map.js: the two scripts are loaded on different pages.)
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

  function drawCommunities(map, body) {
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
      var name = document.createElement('span');
      name.textContent = String(c.name || c.code || '');
      marker.bindTooltip(name, {
        permanent: true,
        direction: 'right',
        offset: [5, 0],
        className: 'map-label',
        interactive: false
      });
      tooltips.push(marker.getTooltip());
    });
    var tidy = function () { declutter(tooltips); };
    map.on('zoomend', tidy);
    tidy();
  }

  function enhance(fieldset) {
    if (fieldset.querySelector('.place-picker-map')) return; // already done
    var latInput = fieldset.querySelector('input[name="lat"]');
    var lonInput = fieldset.querySelector('input[name="lon"]');
    if (!latInput || !lonInput) return;
    var data = fieldset.dataset;

    var before = insertionPoint(fieldset);
    var hint = null;
    if (data.labelHint) {
      hint = document.createElement('p');
      hint.className = 'hint place-picker-hint';
      hint.id = (latInput.id || 'place-picker') + '-map-hint';
      hint.textContent = data.labelHint;
      fieldset.insertBefore(hint, before);
    }
    var container = document.createElement('div');
    container.className = 'place-picker-map';
    if (hint) container.setAttribute('aria-describedby', hint.id);
    fieldset.insertBefore(container, before);
    var actions = document.createElement('p');
    actions.className = 'place-picker-actions';
    var clear = document.createElement('button');
    clear.type = 'button';
    clear.className = 'button button-secondary place-picker-clear';
    clear.textContent = data.labelClear || '×';
    actions.appendChild(clear);
    fieldset.insertBefore(actions, before);

    var map = L.map(container, {
      center: [number(data.lat, 48.6), number(data.lon, 37.6)],
      zoom: number(data.zoom, 9),
      minZoom: 3,
      maxZoom: 18,
      // The form scrolls past the map until the map is clicked or focused.
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
      fetch(data.communities, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (body) { drawCommunities(map, body); })
        .catch(function (error) {
          // Only the names are missing: the map still places points.
          if (window.console) console.warn('communities not loaded:', error);
        });
    }
  }

  function start() {
    if (!window.L) return; // the inputs alone do the job
    Array.prototype.forEach.call(document.querySelectorAll('fieldset.place-picker'), enhance);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
