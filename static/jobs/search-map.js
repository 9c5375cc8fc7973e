/* Postings on a map. Progressive enhancement, as the market map: the list is the real content; without
   JavaScript or map tiles nothing is lost. On the search page a button toggles the map (built on first
   use); on a posting page (data-open="true") it shows at once. Leaflet is served locally, never a CDN. */
(function () {
  "use strict";
  var el = document.getElementById("posting-map");
  var dataEl = document.getElementById("posting-features");
  var cfgEl = document.getElementById("map-config");
  if (!el || !dataEl || !cfgEl || typeof L === "undefined") { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var data = JSON.parse(dataEl.textContent);
  var map = null;

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function build() {
    var css = el.ownerDocument.querySelector('link[href*="vendor/leaflet/leaflet.css"]');
    if (css) { L.Icon.Default.imagePath = css.getAttribute("href").replace("leaflet.css", "images/"); }
    map = L.map(el, { center: cfg.center, zoom: cfg.zoom, scrollWheelZoom: false });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, { subdomains: cfg.subdomains, attribution: cfg.attribution, maxZoom: 18 }).addTo(map);
      if (cfg.labels) { L.tileLayer(cfg.labels, { subdomains: cfg.subdomains, maxZoom: 18 }).addTo(map); }
    } else {
      el.classList.add("no-tiles");
    }
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.marker(latlng, { title: feature.properties.title, alt: feature.properties.title });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        marker.bindPopup(
          '<strong><a href="' + escapeHtml(p.url) + '">' + escapeHtml(p.title) + "</a></strong><br>" +
          escapeHtml(p.wage) + "<br>" + escapeHtml(p.address) + "<br>" + escapeHtml(p.employer)
        );
      }
    }).addTo(map);
    if (data.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 15 });
    }
    el.setAttribute("data-markers", String(data.features.length));
  }

  if (el.getAttribute("data-open") === "true") {
    el.hidden = false;
    build();
    return;
  }
  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "map-toggle";
  toggle.id = "map-toggle";
  toggle.setAttribute("aria-controls", el.id);
  toggle.setAttribute("aria-expanded", "false");
  toggle.textContent = el.getAttribute("data-show");
  el.parentNode.parentNode.insertBefore(toggle, el.parentNode);
  toggle.addEventListener("click", function () {
    var show = el.hidden;
    el.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
    toggle.textContent = el.getAttribute(show ? "data-hide" : "data-show");
    if (show) {
      if (!map) { build(); } else { map.invalidateSize(); }
    }
  });
})();
