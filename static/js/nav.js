/* The collapsible navigation of the top bar (templates/base.html; no inline script: CSP).
 *
 * Loaded in <head> without defer so that the page is marked as scripted (html.js) before it is
 * drawn: only then does the stylesheet fold the menu away behind the menu button on narrow
 * screens. Without JavaScript the menu stays open and the button stays hidden. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setOpen(bar, button, open) {
    bar.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".nav-toggle");
    var bar = button && button.closest(".topbar");
    if (!bar) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      setOpen(bar, button, !bar.classList.contains("nav-open"));
    });
    // Escape closes the open menu and gives the focus back to its button.
    bar.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("nav-open")) {
        setOpen(bar, button, false);
        button.focus();
      }
    });
  });
})();
