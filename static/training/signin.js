// Training sign-in by location: fills the lat/lng fields of a [data-signin] form from the browser's location
// and submits it. Without JavaScript (or without a location) the trainee types the position into the same
// fields, and the sign-in is flagged for the teacher (the hidden "manual" field stays 1). Messages come
// translated from the form's data attributes.
(function () {
  "use strict";
  document.querySelectorAll("form[data-signin]").forEach(function (form) {
    var gps = form.querySelector("[data-signin-gps]");
    var status = form.querySelector("[data-signin-status]");
    if (!gps || !navigator.geolocation) return;
    gps.hidden = false;
    gps.addEventListener("click", function (event) {
      event.preventDefault();
      gps.disabled = true;
      if (status) status.textContent = form.dataset.locating || "";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("input[name=lng]").value = pos.coords.longitude.toFixed(6);
          form.querySelector("input[name=manual]").value = "";
          gps.disabled = false;
          form.submit();
        },
        function () {
          gps.disabled = false;
          if (status) status.textContent = form.dataset.noLocation || "";
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
      );
    });
  });
})();
