// Share links: "Copy link" (Clipboard API) and "Share…" (the Web Share API, on phones).
// Each button stays hidden where the browser can't do it; the link's text field is always
// there to copy by hand.
(function () {
  "use strict";
  function reveal(root) {
    root.querySelectorAll("[data-copy]").forEach(function (b) {
      b.hidden = !(navigator.clipboard && window.isSecureContext);
    });
    root.querySelectorAll("[data-share]").forEach(function (b) {
      b.hidden = typeof navigator.share !== "function";
    });
  }
  document.addEventListener("click", function (e) {
    var copy = e.target.closest && e.target.closest("[data-copy]");
    var share = e.target.closest && e.target.closest("[data-share]");
    var button = copy || share;
    if (!button) return;
    var field = document.getElementById(button.dataset.copy || button.dataset.share);
    if (!field) return;
    if (copy) {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied ✓";
        setTimeout(function () { button.textContent = "Copy link"; }, 2500);
      }, function () { field.select(); });
    } else {
      navigator.share({ title: "A photo from SSELFIE Studio", url: field.value }).catch(function () {});
    }
  });
  document.addEventListener("sselfie:content", function (e) { reveal(e.detail); });
  reveal(document);
})();
