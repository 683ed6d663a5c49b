// Lightbox keys: ← and → follow the previous/next links, Esc goes back to the grid.
// Only a shortcut: the same links work by Tab and Enter without this file.
(function () {
  "use strict";
  var KEYS = ["ArrowLeft", "ArrowRight", "Escape"];
  document.addEventListener("keydown", function (event) {
    if (KEYS.indexOf(event.key) === -1 || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, button, summary, [contenteditable]")) {
      return; // keys belong to the control that has focus
    }
    var link = document.querySelector('a[data-key="' + event.key + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
