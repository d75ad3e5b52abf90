// Dropship: the order total shown before "Place order". A static file: the CSP allows no inline script.
(function () {
  var config = document.getElementById("dropship-config");
  if (!config) return;
  var prices = JSON.parse(document.getElementById("dropship-prices").textContent);
  var product = document.getElementById(config.dataset.product);
  var qty = document.getElementById(config.dataset.qty);
  var money = new Intl.NumberFormat(document.documentElement.lang || "en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var shippingCents = Math.round(parseFloat(config.dataset.shipping) * 100);
  function update() {
    var price = prices[product.value], q = parseInt(qty.value, 10);
    if (!price || isNaN(q) || q < 1) { document.getElementById("dropship-total").textContent = "—"; return; }
    var cents = Math.round(parseFloat(price) * 100) * q;
    document.getElementById("dropship-subtotal").textContent = money.format(cents / 100);
    document.getElementById("dropship-total").textContent = money.format((cents + shippingCents) / 100);
  }
  product.addEventListener("change", update);
  qty.addEventListener("input", update);
  update();
})();
