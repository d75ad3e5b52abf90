// Team tree: open a member's level on demand (one request per level, never the whole subtree).
(function () {
  "use strict";
  var tree = document.querySelector("[data-testid=tree]");
  if (!tree) { return; }
  var template = tree.getAttribute("data-children-url");
  var asOf = tree.getAttribute("data-as-of");
  // The words come from the page, in its language.
  var loading = tree.getAttribute("data-loading") || "…";
  var failed = tree.getAttribute("data-failed") || "!";

  function urlFor(number, level) {
    // The URL was rendered with 0 in place of the member's number.
    return template.replace(/\/0\/$/, "/" + number + "/") + "?as_of=" + encodeURIComponent(asOf) +
      "&level=" + encodeURIComponent(level);
  }

  tree.addEventListener("click", function (event) {
    var button = event.target.closest("button.toggle");
    if (!button) { return; }
    var item = button.closest("li[role=treeitem]");
    var group = item.querySelector(":scope > ul[role=group]");
    var open = item.getAttribute("aria-expanded") === "true";
    if (open) {
      item.setAttribute("aria-expanded", "false");
      group.hidden = true;
      button.textContent = "+";
      return;
    }
    item.setAttribute("aria-expanded", "true");
    group.hidden = false;
    button.textContent = "−";
    if (item.getAttribute("data-loaded")) { return; }
    group.innerHTML = '<li class="muted"></li>';
    group.firstChild.textContent = loading;
    var level = parseInt(item.getAttribute("data-level"), 10) + 1;
    fetch(urlFor(item.getAttribute("data-number"), level), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        group.innerHTML = html;
        item.setAttribute("data-loaded", "1");
        var first = group.querySelector("button.toggle");
        if (first) { first.focus(); }
      })
      .catch(function () {
        group.innerHTML = '<li class="errorlist" role="alert"></li>';
        group.firstChild.textContent = failed;
      });
  });
})();
