/* The web map's layer builders, as window.efm.<name>(parent, ...). Loaded after Leaflet and
   Leaflet.markercluster with the base map (so layers swapped in later find them); inlined
   into the standalone HTML export. dashboard/mapping/*.py writes one call per layer and
   passes the data, colours and sizes as JSON arguments: nothing here is data. */
(function () {
  "use strict";
  var efm = window.efm = window.efm || {};

  /* Countries filled by group (opts: fills by group, fillOpacity, color, weight); the name
     as a tooltip. */
  efm.countries = function (parent, data, opts) {
    return L.geoJson(data, {
      style: function (f) {
        return {fillColor: opts.fills[f.properties.group] || opts.fills.other,
                fillOpacity: opts.fillOpacity, color: opts.color, weight: opts.weight};
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name, {sticky: true}); }
    }).addTo(parent);
  };

  /* Airports as small circles (marker: circleMarker options); "ICAO · name" as a tooltip. */
  efm.airports = function (parent, data, marker) {
    return L.geoJson(data, {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, marker); },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.t, {sticky: true}); }
    }).addTo(parent);
  };

  /* Country names, [lat, lon, escaped name] each, as non-interactive text in ``pane``. */
  efm.labels = function (parent, labels, pane) {
    var group = L.layerGroup().addTo(parent);
    labels.forEach(function (l) {
      L.marker([l[0], l[1]], {icon: L.divIcon({html: l[2], className: "ef-map-label",
        iconSize: [200, 22], iconAnchor: [100, 11]}), interactive: false, pane: pane}).addTo(group);
    });
    return group;
  };

  /* Closed airports, [lat, lon, label html or ""] each: a ring (ring: circleMarker options)
     and, when given, an "ICAO closed" label to its right. */
  efm.closedAirports = function (parent, rows, ring) {
    rows.forEach(function (a) {
      L.circleMarker([a[0], a[1]], ring).addTo(parent);
      if (a[2]) {
        L.marker([a[0], a[1]], {icon: L.divIcon({html: a[2], className: "ef-map-label",
          iconSize: [110, 14], iconAnchor: [-16, 7]}), interactive: false}).addTo(parent);
      }
    });
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
})();
