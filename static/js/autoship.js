// Autoship: the PV and price totals, the Leads rule 3 and the Perks threshold, recomputed as you edit.
// A static file: the CSP allows no inline script.
(function () {
  var form = document.getElementById("autoship-items");
  if (!form) return;
  var thresholds = JSON.parse(document.getElementById("perk-thresholds").textContent || "[]");
  function update() {
    var pv = 0, cents = 0;
    form.querySelectorAll("input.qty").forEach(function (input) {
      var q = parseInt(input.value, 10);
      if (isNaN(q) || q < 0) q = 0;
      pv += q * parseInt(input.dataset.pv, 10);
      cents += q * Math.round(parseFloat(input.dataset.price) * 100);
    });
    form.querySelector("[data-testid=pv-total]").textContent = pv;
    form.querySelector("[data-testid=price-total]").textContent = (cents / 100).toFixed(2);
    var leads = document.getElementById("leads-rule");
    leads.innerHTML = pv >= 100
      ? '<span class="status-ok">100 PV or more:</span> meets the Leads program\u2019s subscription rule (rule 3).'
      : '<span class="status-bad">Under 100 PV:</span> the Leads program\u2019s rule 3 (an active subscription of 100 PV or more) fails.';
    var reached = null, next = null;
    thresholds.forEach(function (t) { if (pv >= t[0]) { reached = t; } else if (!next) { next = t; } });
    var text = reached ? "Plexus Perks: the " + reached[0] + " PV threshold is reached (" + reached[1] + " perk credit a month)."
                       : "Plexus Perks: no threshold reached yet.";
    if (next) text += " " + next[0] + " PV earns " + next[1] + ".";
    document.getElementById("perks").textContent = text;
  }
  form.addEventListener("input", update);
})();
