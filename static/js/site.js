/* Member site behaviour (a static file: the CSP forbids inline scripts; nothing from a CDN).
   - The navigation is a <details> menu: closed on phones, opened on wide screens where it is a sidebar.
   - After a failed submit, focus moves to the error summary so screen readers announce it. */
(function () {
  "use strict";
  function syncMenu() {
    var menu = document.querySelector("details.nav-menu");
    if (!menu) return;
    var wide = window.matchMedia("(min-width: 800px)").matches;
    if (wide) menu.open = true;
    else if (!menu.dataset.touched) menu.open = false;
  }
  document.addEventListener("DOMContentLoaded", function () {
    syncMenu();
    var menu = document.querySelector("details.nav-menu");
    if (menu) {
      menu.querySelector("summary").addEventListener("click", function () { menu.dataset.touched = "1"; });
    }
    window.matchMedia("(min-width: 800px)").addEventListener("change", syncMenu);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });
})();
