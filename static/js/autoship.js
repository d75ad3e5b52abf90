// Autoship: the PV and price totals, the Leads rule 3 and the Perks threshold, recomputed as you edit.
// A static file: the CSP allows no inline script.
(function () {
  var form = document.getElementById("autoship-items");
  if (!form) return;
  var thresholds = JSON.parse(document.getElementById("perk-thresholds").textContent || "[]");
  // The sentences come from the page (translated there); {pv} and {credit} are filled in here.
  var texts = document.getElementById("autoship-texts").dataset;
  var money = new Intl.NumberFormat(document.documentElement.lang || "en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function fill(text, pv, credit) { return text.replace("{pv}", pv).replace("{credit}", credit); }
  function rule(cls, head, tail) {
    var li = document.getElementById("leads-rule"), span = document.createElement("span");
    span.className = cls; span.textContent = head;
    li.replaceChildren(span, document.createTextNode(" " + tail));
  }
  function update() {
    var pv = 0, cents = 0;
    form.querySelectorAll("input.qty").forEach(function (input) {
      var q = parseInt(input.value, 10);
      if (isNaN(q) || q < 0) q = 0;
      pv += q * parseInt(input.dataset.pv, 10);
      cents += q * Math.round(parseFloat(input.dataset.price) * 100);
    });
    form.querySelector("[data-testid=pv-total]").textContent = pv;
    form.querySelector("[data-testid=price-total]").textContent = money.format(cents / 100);
    if (pv >= 100) rule("status-ok", texts.leadsMetHead, texts.leadsMet);
    else rule("status-bad", texts.leadsUnmetHead, texts.leadsUnmet);
    var reached = null, next = null;
    thresholds.forEach(function (t) { if (pv >= t[0]) { reached = t; } else if (!next) { next = t; } });
    var text = reached ? fill(texts.perkReached, reached[0], reached[1]) : texts.perkNone;
    if (next) text += " " + fill(texts.perkNext, next[0], next[1]);
    document.getElementById("perks").textContent = text;
  }
  form.addEventListener("input", update);
})();
