// Check-in by location: fills the hidden lat/lng fields of [data-checkin] forms from the browser's
// location before submitting. Without JavaScript (or without a location) the form still posts, and the
// QR code token field works as the fallback. Its messages come translated from the form's data attributes.
(function () {
  "use strict";
  document.querySelectorAll("form[data-checkin]").forEach(function (form) {
    var gps = form.querySelector("[data-checkin-gps]");
    var status = form.querySelector("[data-checkin-status]");
    if (!gps || !navigator.geolocation) return;
    gps.addEventListener("click", function (event) {
      if (form.dataset.located === "1") return;
      event.preventDefault();
      gps.disabled = true;
      if (status) status.textContent = form.dataset.locating || "";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("input[name=lng]").value = pos.coords.longitude.toFixed(6);
          var token = form.querySelector("input[name=qr_token]");
          if (token) token.value = "";
          form.dataset.located = "1";
          gps.disabled = false;
          form.submit();
        },
        function () {
          gps.disabled = false;
          if (status) status.textContent = form.dataset.noLocation || "";
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
