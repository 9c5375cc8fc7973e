/* The public market map. Progressive enhancement: the list beside the map is the real content; without
   JavaScript or without tiles nothing is lost. Leaflet is served locally (xstatic-leaflet), never a CDN. */
(function () {
  "use strict";
  var el = document.getElementById("market-map");
  var dataEl = document.getElementById("market-features");
  var cfgEl = document.getElementById("map-config");
  if (!el || !dataEl || !cfgEl || typeof L === "undefined") { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var data = JSON.parse(dataEl.textContent);
  el.hidden = false;
  L.Icon.Default.imagePath = el.ownerDocument.querySelector('link[href*="vendor/leaflet/leaflet.css"]')
    .getAttribute("href").replace("leaflet.css", "images/");
  var map = L.map(el, { center: cfg.center, zoom: cfg.zoom, scrollWheelZoom: false });
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { subdomains: cfg.subdomains, attribution: cfg.attribution, maxZoom: 18 }).addTo(map);
    if (cfg.labels) { L.tileLayer(cfg.labels, { subdomains: cfg.subdomains, maxZoom: 18 }).addTo(map); }
  } else {
    el.classList.add("no-tiles");
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var layer = L.geoJSON(data, {
    pointToLayer: function (feature, latlng) {
      return L.marker(latlng, { title: feature.properties.name, alt: feature.properties.name });
    },
    onEachFeature: function (feature, marker) {
      var p = feature.properties;
      marker.bindPopup(
        '<strong><a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.name) + "</a></strong><br>" +
        escapeHtml(p.address) + "<br>" + escapeHtml(p.opens_at) + "–" + escapeHtml(p.closes_at) +
        ' · <a href="tel:' + escapeHtml(p.hotline) + '">' + escapeHtml(p.hotline) + "</a>"
      );
    }
  }).addTo(map);
  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 15 });
  }
  var points = data.features.filter(function (f) { return f.geometry; });
  el.setAttribute("data-markers", String(points.length));
  el.setAttribute("data-platforms", String(data.features.length - points.length));
})();
