/* "用我的位置": fills latitude/longitude inputs from the browser's location (WGS-84). The button is hidden
   until this script runs, so without JavaScript or geolocation people type the numbers or choose a market. */
(function () {
  "use strict";
  if (!navigator.geolocation) { return; }
  var buttons = document.querySelectorAll("[data-locate]");
  Array.prototype.forEach.call(buttons, function (btn) {
    var lat = document.getElementById(btn.getAttribute("data-lat"));
    var lng = document.getElementById(btn.getAttribute("data-lng"));
    if (!lat || !lng) { return; }
    btn.hidden = false;
    btn.addEventListener("click", function () {
      btn.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        var ordering = document.getElementById(btn.getAttribute("data-ordering") || "");
        if (ordering) { ordering.value = "distance"; }
        btn.disabled = false;
      }, function () { btn.disabled = false; }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
    });
  });
})();
