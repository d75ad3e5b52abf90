/* The return label's "Print this label" button (a static file: the CSP forbids inline handlers). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-print]");
    if (button) button.addEventListener("click", function () { window.print(); });
  });
})();
