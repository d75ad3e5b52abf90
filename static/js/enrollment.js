// Enrollment wizard: live total on the products step; one submit on the last step.
(function () {
  "use strict";
  var form = document.getElementById("products-form");
  var money = new Intl.NumberFormat(document.documentElement.lang || "en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (form) {
    var fee = parseFloat(form.dataset.fee || "0");
    var shipping = parseFloat(form.dataset.shipping || "0");
    var update = function () {
      var cents = Math.round(fee * 100), pv = 0, any = false;
      form.querySelectorAll("input.qty").forEach(function (input) {
        var qty = parseInt(input.value, 10);
        if (qty > 0 && qty <= 10) {
          any = true;
          cents += qty * Math.round(parseFloat(input.dataset.price) * 100);
          pv += qty * parseInt(input.dataset.pv, 10);
        }
      });
      if (any) { cents += Math.round(shipping * 100); }
      document.getElementById("live-total").textContent = money.format(cents / 100);
      document.getElementById("live-pv").textContent = String(pv);
    };
    form.addEventListener("input", update);
    update();
  }
  var enroll = document.getElementById("enroll-form");
  if (enroll) {
    enroll.addEventListener("submit", function () {
      var button = document.getElementById("enroll-submit");
      // The server is idempotent anyway; this only spares a second request.
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.copy);
      if (navigator.clipboard) { navigator.clipboard.writeText(target.value || target.textContent); }
      else { target.select(); document.execCommand("copy"); }
      button.textContent = button.dataset.copied || button.textContent;  // the page's translated "Copied"
    });
  });
})();
