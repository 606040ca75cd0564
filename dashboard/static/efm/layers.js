/* The web map's layer builders, as window.efm.<name>(parent, ...). Loaded after Leaflet and
   Leaflet.markercluster with the base map (so layers swapped in later find them); inlined
   into the standalone HTML export. dashboard/mapping/*.py writes one call per layer and
   passes the data, colours and sizes as JSON arguments: nothing here is data.

   Labels (country and city names, "ICAO closed") register themselves; efm.declutter lays
   them out after every zoom or layer change: in priority order, each takes the first of its
   spots where it overlaps neither an incident symbol nor a label placed before it, and is
   hidden when it finds none. Layers shown only from some zoom on use byZoom. */
(function () {
  "use strict";
  var efm = window.efm = window.efm || {};

  /* A press on the map focuses it (for its keyboard). Leaflet focuses it with scrolling, so
     on a page where the map's frame is partly below the fold the page jumped to show it, and
     the press meant for a symbol ended on another place (no click, no popup). Focus it where
     it is. Set before any map is made: a map binds this handler when it is created. */
  if (L.Map.Keyboard) {
    L.Map.Keyboard.prototype._onMouseDown = function () {
      if (!this._focused) { this._map._container.focus({preventScroll: true}); }
    };
  }
  /* The same after a click on a control (zoom, layers, legend, drawing tools). */
  L.Control.prototype._refocusOnMap = function (e) {
    if (this._map && e && e.screenX > 0 && e.screenY > 0) {
      this._map.getContainer().focus({preventScroll: true});
    }
  };

  /* Popups open inside the map without moving it (the map's autoPan is off): above the
     symbol where there is room, else below it, and shifted sideways off an edge, the tip
     still pointing at the symbol. Leaflet calls _updatePosition on opening and every zoom. */
  var GAP = 14;  // half a symbol and a little: a popup below clears its symbol
  if (L.Popup) {
    var place = L.Popup.prototype._updatePosition;
    L.Popup.prototype._updatePosition = function () {
      place.call(this);
      var el = this._container;
      if (!this._map || !el) { return; }
      el.classList.remove("ef-popup-below");
      el.style.setProperty("--ef-tip-dx", "0px");
      var box = this._map.getContainer().getBoundingClientRect(), m = 4;
      var r = el.getBoundingClientRect(), bottom = parseFloat(el.style.bottom) || 0;
      if (r.top < box.top + m && r.bottom + bottom + GAP + r.height <= box.bottom - m) {
        el.classList.add("ef-popup-below");
        el.style.bottom = -(GAP + r.height) + "px";
      }
      var dx = r.left < box.left + m ? box.left + m - r.left
        : (r.right > box.right - m ? box.right - m - r.right : 0);
      if (dx) {
        el.style.left = (parseFloat(el.style.left) || 0) + dx + "px";
        var room = r.width / 2 - 24;
        el.style.setProperty("--ef-tip-dx", Math.max(-room, Math.min(room, -dx)) + "px");
      }
    };
  }

  /* Shows ``layer`` on ``map`` while the zoom is at least ``minZoom``. */
  function byZoom(map, layer, minZoom) {
    function update() {
      var on = map.getZoom() >= minZoom;
      if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
      if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
    }
    map.on("zoomend", update);
    update();
    return layer;
  }

  /* The name of the country under the pointer, in a line at the map's bottom left (a
     tooltip at the pointer covered the symbols beside it). */
  function where(map, name) {
    if (!map) { return; }
    if (!map._efWhere) {
      var line = L.DomUtil.create("div", "ef-where");
      line.setAttribute("aria-live", "polite");
      map._efWhere = line;
      new (L.Control.extend({options: {position: "bottomleft"},
                             onAdd: function () { return line; }}))().addTo(map);
    }
    map._efWhere.textContent = name;
  }

  /* The base map's big layers (countries, lakes, rivers, admin-1 lines, airports) come either
     inline or, in the app, as efm.fetched(url): a static file the browser loads once and
     keeps, so the page's script (which Streamlit sends on every rerun) stays small. */
  efm.fetched = function (url) {
    return fetch(url, {cache: "force-cache"}).then(function (r) {
      if (!r.ok) { throw new Error("base map layer " + url + ": HTTP " + r.status); }
      return r.json();
    });
  };
  function whenData(data, use) {
    if (data && typeof data.then === "function") {
      data.then(use).catch(function (e) { console.error(e); });
    } else { use(data); }
  }
  /* Base shapes arriving after the incident layers go to the back, in their drawing order. */
  var stack = [];
  function restack(layer) {
    stack.push(layer);
    stack.sort(function (a, b) { return b._efOrder - a._efOrder; });
    stack.forEach(function (l) { if (l._map) { l.bringToBack(); } });
  }
  function baseShapes(parent, data, options, order, added) {
    var layer = L.geoJson(null, options);
    layer._efOrder = order;
    if (parent) { layer.addTo(parent); }
    whenData(data, function (d) { layer.addData(d); restack(layer); if (added) { added(layer); } });
    return layer;
  }

  /* Countries filled by group (opts: fills by group, fillOpacity, color, weight); hovering
     one names it (``where``). */
  efm.countries = function (parent, data, opts) {
    return baseShapes(parent, data, {
      style: function (f) {
        return {fillColor: opts.fills[f.properties.group] || opts.fills.other,
                fillOpacity: opts.fillOpacity, color: opts.color, weight: opts.weight};
      },
      onEachFeature: function (f, layer) {
        layer.on("mouseover", function () { where(layer._map, f.properties.name); });
        layer.on("mouseout", function () { where(layer._map, ""); });
      }
    }, 0);
  };

  /* Context shapes, never interactive (so a click or a country's tooltip goes through):
     lakes (filled), rivers and admin-1 lines (opts.minZoom: shown from that zoom on). */
  var SHAPE_ORDER = 0;
  function shapes(map, data, look, minZoom) {
    return byZoom(map, baseShapes(null, data, {style: function () { return look; },
                                               interactive: false}, ++SHAPE_ORDER),
                  minZoom || 0);
  }
  efm.lakes = function (map, data, look) { return shapes(map, data, look, 0); };
  efm.rivers = function (map, data, look) { return shapes(map, data, look, 0); };
  efm.admin1 = function (map, data, look, opts) { return shapes(map, data, look, opts.minZoom); };

  /* Airports as small circles (marker: circleMarker options), "ICAO · name" as a tooltip;
     each feature's tier k shows from zooms[k] on (major airports always). */
  efm.airports = function (map, data, marker, zooms) {
    var groups = {};
    Object.keys(zooms).sort().forEach(function (k) {
      groups[k] = L.featureGroup();
      groups[k]._efOrder = 100;  // above the base shapes, under everything else
    });
    whenData(data, function (d) {
      d.features.forEach(function (f) {
        var c = f.geometry.coordinates, k = String(f.properties.k);
        if (!groups[k]) { groups[k] = L.featureGroup(); groups[k]._efOrder = 100; }
        L.circleMarker([c[1], c[0]], marker).bindTooltip(f.properties.t, {sticky: true})
          .addTo(groups[k]);
      });
      Object.keys(groups).sort().forEach(function (k) {
        byZoom(map, groups[k], zooms[k] || 0);
        restack(groups[k]);
      });
    });
    return groups;
  };

  /* --- labels -------------------------------------------------------------------------- */

  var registry = [];

  function labelIcon(html, kind) {
    return L.divIcon({html: '<span class="ef-label-text">' + html + "</span>",
                      className: "ef-map-label " + kind, iconSize: [0, 0], iconAnchor: [0, 0]});
  }

  /* A label marker: ``spots`` (LatLngs) for a name centred on one of them, or none for a
     name beside its point, ``gap`` px away (right, left, above or below). */
  function label(latlng, html, kind, opts) {
    var marker = L.marker(latlng, {icon: labelIcon(html, kind), interactive: false,
                                   keyboard: false, pane: opts.pane || "markerPane"});
    registry.push({marker: marker, priority: opts.priority, order: registry.length,
                   spots: opts.spots || null, gap: opts.gap || 0, kept: !!opts.kept});
    return marker;
  }

  /* Country names: [escaped name, priority, [[lat, lon, depth], ...]]: spots inside the
     country, each ``depth`` degrees from its edge. */
  efm.labels = function (map, labels, pane) {
    var group = L.layerGroup().addTo(map);
    labels.forEach(function (l) {
      var spots = l[2].map(function (s) { var at = L.latLng(s[0], s[1]); at.depth = s[2]; return at; });
      group.addLayer(label(spots[0], l[0], "ef-country-label",
                           {pane: pane, priority: l[1], spots: spots, kept: true}));
    });
    return group;
  };

  /* Cities, [lat, lon, escaped name, 1 for a capital] each: a dot and a name beside it;
     capitals from opts.capitalZoom, other cities from opts.cityZoom. */
  efm.cities = function (map, rows, opts) {
    var capitals = L.layerGroup(), others = L.layerGroup();
    rows.forEach(function (r) {
      var capital = r[3] === 1, group = capital ? capitals : others;
      L.circleMarker([r[0], r[1]], capital ? opts.capital : opts.city).addTo(group);
      group.addLayer(label([r[0], r[1]], r[2], capital ? "ef-city-label ef-capital" : "ef-city-label",
        {pane: opts.labelPane, priority: opts.priorities[capital ? 0 : 1], gap: opts.gap,
         kept: true}));
    });
    byZoom(map, capitals, opts.capitalZoom);
    byZoom(map, others, opts.cityZoom);
    return [capitals, others];
  };

  /* Closed airports, [lat, lon, label html or ""] each: a ring (ring: circleMarker options),
     a dot (opts.dot) and, when given, an "ICAO closed" label beside it. */
  efm.closedAirports = function (parent, rows, ring, opts) {
    rows.forEach(function (a) {
      L.circleMarker([a[0], a[1]], ring).addTo(parent);
      if (opts.dot) { L.circleMarker([a[0], a[1]], opts.dot).addTo(parent); }
      if (a[2]) {
        parent.addLayer(label([a[0], a[1]], a[2], "ef-point-label",
                              {pane: opts.pane, priority: opts.priority, gap: opts.gap}));
      }
    });
  };

  /* Where a label's box (w x h px) may go, as top-left corners in container pixels, best
     first. A name on spots: each spot as it is, then nudged (a line up or down, part of its
     width aside) while the nudge stays within the spot's depth, so the name stays in its
     country. A name beside its point: in eight directions, then a little farther. */
  var NUDGES = [[0, 0], [0, -1], [0, 1], [-0.33, 0], [0.33, 0], [-0.5, -1], [0.5, -1],
                [-0.5, 1], [0.5, 1], [0, -2], [0, 2], [-0.5, 0], [0.5, 0]];
  function candidates(map, entry, p, w, h) {
    var out = [];
    if (entry.spots) {
      var at = entry.spots.map(function (s) {
        var q = map.latLngToContainerPoint(s);
        return [q, Math.abs(map.latLngToContainerPoint([s.lat, s.lng + s.depth]).x - q.x)];
      });
      NUDGES.forEach(function (n) {
        var dx = n[0] * w, dy = n[1] * (h + 2), far = Math.sqrt(dx * dx + dy * dy);
        at.forEach(function (a) {
          if (far <= a[1]) { out.push([a[0].x - w / 2 + dx, a[0].y - h / 2 + dy]); }
        });
      });
      return out;
    }
    [entry.gap, entry.gap + 12].forEach(function (r) {
      var d = r * 0.7;
      out.push([p.x + r, p.y - h / 2], [p.x - r - w, p.y - h / 2], [p.x - w / 2, p.y - r - h],
               [p.x - w / 2, p.y + r], [p.x + d, p.y - d - h], [p.x + d, p.y + d],
               [p.x - d - w, p.y - d - h], [p.x - d - w, p.y + d]);
    });
    return out;
  }

  function hits(b, boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var o = boxes[i];
      if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) { return true; }
    }
    return false;
  }

  /* One layout: measure (all reads), choose spots, then write transforms and classes. */
  function layout(map, opts) {
    if (registry.length > 4000) {  // markers of incident layers swapped out for good
      registry = registry.filter(function (e) { return e.kept || e.marker._map; });
    }
    var container = map.getContainer(), origin = container.getBoundingClientRect();
    var live = registry.filter(function (e) { return e.marker._map === map && e.marker._icon; });
    var spans = live.map(function (e) { return e.marker._icon.firstChild; });
    var sizes = spans.map(function (s) { return [s.offsetWidth, s.offsetHeight]; });
    var pad = opts.padding;
    var obstacles = Array.prototype.map.call(container.querySelectorAll(opts.obstacles), function (el) {
      var r = el.getBoundingClientRect();
      return [r.left - origin.left - pad, r.top - origin.top - pad,
              r.right - origin.left + pad, r.bottom - origin.top + pad, r.width * r.height];
    }).filter(function (b) { return b[4] > 0; });
    var order = live.map(function (e, i) { return i; }).sort(function (a, b) {
      return (live[a].priority - live[b].priority) || (live[a].order - live[b].order);
    });
    var placed = [], shift = [];
    order.forEach(function (i) {
      var w = sizes[i][0], h = sizes[i][1], p = map.latLngToContainerPoint(live[i].marker.getLatLng());
      var spots = candidates(map, live[i], p, w, h);
      for (var k = 0; k < spots.length; k++) {
        var b = [spots[k][0], spots[k][1], spots[k][0] + w, spots[k][1] + h];
        if (!hits(b, obstacles) && !hits(b, placed)) {
          placed.push([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]);
          shift[i] = [Math.round(b[0] - p.x), Math.round(b[1] - p.y)];
          return;
        }
      }
    });
    live.forEach(function (e, i) {
      var s = shift[i];
      e.marker._icon.classList.toggle("ef-hidden", !s);
      if (s) { spans[i].style.transform = "translate(" + s[0] + "px, " + s[1] + "px)"; }
    });
  }

  /* Opens the popup of incident ``id`` once the layers being added with ``group`` are on the
     map (a redraw of the layers closes the popup a click opened). */
  efm.openPopup = function (group, id) {
    setTimeout(function () {
      var map = group._map;
      if (!map) { return; }
      var symbol = null, owner = null;
      map.eachLayer(function (layer) {
        if (layer.feature && layer.feature.properties && layer.feature.properties.id === id) {
          symbol = layer;
        }
      });
      if (!symbol) { return; }
      // The popup is bound to the symbol's GeoJSON layer, which opens it for the symbol that
      // is its source (as a click on the symbol does, without telling the app of a click).
      map.eachLayer(function (layer) {
        if (!owner && layer !== symbol && layer.getPopup && layer.getPopup() && layer.hasLayer
            && layer.hasLayer(symbol)) { owner = layer; }
      });
      var holder = owner || (symbol.getPopup && symbol.getPopup() ? symbol : null);
      if (!holder || map.hasLayer(holder.getPopup())) { return; }
      holder.getPopup()._source = symbol;
      holder.openPopup(symbol.getLatLng ? symbol.getLatLng() : undefined);
    }, 0);
    return null;
  };

  /* Lays the labels out now and after every zoom, resize or layer change (once per frame);
     the map container carries data-ef-pending while a layout is due (tests wait on it). */
  efm.declutter = function (map, opts) {
    var container = map.getContainer(), due = false;
    var later = window.requestAnimationFrame || function (f) { return setTimeout(f, 16); };
    function schedule() {
      if (due) { return; }
      due = true;
      container.setAttribute("data-ef-pending", "1");
      later(function () {
        due = false;
        layout(map, opts);
        container.removeAttribute("data-ef-pending");
      });
    }
    map.on("zoomend layeradd layerremove resize viewreset", schedule);
    map.whenReady(schedule);
    return schedule;
  };

  /* The legend (the element ``id`` in the page) as a control at the top right, under the
     layer control; its toggle collapses it, remembered for the browser session. */
  efm.legend = function (map, id, opts) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var control = new (L.Control.extend({options: {position: "topright"},
                                         onAdd: function () { return el; }}))();
    control.addTo(map);
    el.classList.add("leaflet-control");
    L.DomEvent.disableClickPropagation(el);
    L.DomEvent.disableScrollPropagation(el);
    var toggle = el.querySelector(".ef-legend-toggle"), key = "efm-legend-collapsed", stored = null;
    try { stored = window.sessionStorage.getItem(key); } catch (e) { stored = null; }
    var size = map.getSize();
    var collapsed = stored !== null ? stored === "1"
      : size.x < opts.collapseBelow[0] || size.y < opts.collapseBelow[1];
    function show() {
      el.classList.toggle("ef-collapsed", collapsed);
      toggle.setAttribute("aria-expanded", String(!collapsed));
    }
    L.DomEvent.on(toggle, "click", function (e) {
      L.DomEvent.stop(e);
      collapsed = !collapsed;
      show();
      try { window.sessionStorage.setItem(key, collapsed ? "1" : "0"); } catch (err) { /* none */ }
    });
    show();
    return control;
  };

  /* A cluster's icon: its count inside a ring coloured by the share of each type. */
  function clusterIcon(cluster, types) {
    var children = cluster.getAllChildMarkers(), n = children.length;
    var per = types.map(function () { return 0; });
    for (var i = 0; i < n; i++) { per[children[i].options.efType] += 1; }
    var stops = [], done = 0;
    for (var t = 0; t < per.length; t++) {
      if (!per[t]) { continue; }
      stops.push(types[t][2] + " " + (done / n * 360) + "deg " +
                 ((done + per[t]) / n * 360) + "deg");
      done += per[t];
    }
    var size = n < 100 ? 36 : n < 1000 ? 44 : n < 10000 ? 52 : 60;
    return L.divIcon({className: "ef-cluster", iconSize: [size, size],
      html: '<div style="background: conic-gradient(' + stops.join(", ") + ')"><span>' +
            n.toLocaleString("en") + "</span></div>"});
  }

  /* Incidents, [lat, lon, type index, id] each, as small type symbols (types: [label, svg,
     colour] per type, px: symbol size) in a Leaflet.markercluster group. A marker's tooltip
     is "Type · id", so a click selects the incident as a click on a full symbol does.
     window.efLoading counts cluster layers still being built (chunked loading). */
  efm.clusters = function (parent, data, types, px) {
    var icons = types.map(function (t) {
      return L.divIcon({html: t[1], className: "ef-point", iconSize: [px, px],
                        iconAnchor: [Math.floor(px / 2), Math.floor(px / 2)]});
    });
    var pending = data.length > 0;
    if (pending) { window.efLoading = (window.efLoading || 0) + 1; }
    var group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
      maxClusterRadius: 60, spiderfyOnMaxZoom: true,
      chunkProgress: function (done, total) {
        if (pending && done >= total) { pending = false; window.efLoading -= 1; }
      },
      iconCreateFunction: function (cluster) { return clusterIcon(cluster, types); }});
    var markers = new Array(data.length);
    for (var i = 0; i < data.length; i++) {
      var d = data[i];
      markers[i] = L.marker([d[0], d[1]], {icon: icons[d[2]], efType: d[2]})
        .bindTooltip(types[d[2]][0] + " · " + d[3]);
    }
    group.addLayers(markers);
    parent.addLayer(group);
    return group;
  };

  /* Density cells of one type, [lat, lon, count] each: a circle with area proportional to
     the count (opts: most, radius, label, color, outline), a tooltip with the count; a click
     zooms in two levels on the cell. */
  efm.density = function (parent, cells, opts) {
    cells.forEach(function (c) {
      L.circleMarker([c[0], c[1]], {radius: Math.max(3, opts.radius * Math.sqrt(c[2] / opts.most)),
        color: opts.outline, weight: 1, fillColor: opts.color, fillOpacity: 0.8,
        className: "ef-density"})
        .bindTooltip(opts.label + ": " + c[2].toLocaleString("en") +
                     (c[2] === 1 ? " incident" : " incidents"))
        .on("click", function (e) {
          var map = e.target._map;
          map.setView(e.latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
        })
        .addTo(parent);
    });
  };

  /* Writes the legend's "shown as" line (the legend belongs to the base map, which stays
     mounted while the incident layers change). */
  efm.legendNote = function (parent, target, text) {
    var el = document.getElementById(target);
    if (el) { el.textContent = text; }
  };

  /* Writes the context overlays shown into the legend: [label, colour, kind] each, a
     translucent swatch for an area, a dashed stroke for a line (names as text, never HTML). */
  efm.legendOverlays = function (parent, target, rows) {
    var el = document.getElementById(target);
    if (!el) { return; }
    el.textContent = "";
    if (!rows.length) { return; }
    var head = document.createElement("h4");
    head.textContent = "Context overlays";
    el.appendChild(head);
    rows.forEach(function (r) {
      var row = document.createElement("div"), swatch = document.createElement("span");
      var text = document.createElement("span");
      swatch.className = "ef-overlay-swatch";
      swatch.style.border = (r[2] === "area" ? "2px dashed " : "0") + r[1];
      swatch.style.background = r[2] === "area" ? r[1] + "33" :
        "linear-gradient(" + r[1] + "," + r[1] + ") center / 100% 3px no-repeat";
      text.textContent = r[0];
      row.appendChild(swatch);
      row.appendChild(text);
      el.appendChild(row);
    });
  };
})();
