// The photo lightbox: a full-screen overlay over the studio's results and the gallery.
// Links marked data-lightbox="<group>" open it; without this script they are plain links
// to the photo's own page, which still renders for direct visits and deep links.
// Keys: ← → move through the group, Esc closes; the modal <dialog> keeps focus inside,
// and focus returns to the photo that opened it. Swipe left/right on touch screens.
// On the photo's own page, ← → and Esc follow its previous/next/back links.
(function () {
  "use strict";
  var dialog = null;
  var current = null; // the opener link being shown
  var pushed = false; // whether opening added a history entry (gallery deep links)
  var listUrl = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    dialog = el("dialog", "overlay");
    dialog.setAttribute("aria-label", "Photo");
    var bar = el("div", "overlay__bar");
    var count = el("p", "overlay__count");
    count.setAttribute("aria-live", "polite");
    var close = el("button", "overlay__close", "Close");
    close.type = "button";
    close.addEventListener("click", function () { hide(); });
    bar.append(count, close);
    var stage = el("div", "overlay__stage");
    var prev = el("button", "overlay__nav overlay__nav--prev", "‹");
    prev.type = "button";
    prev.setAttribute("aria-label", "Previous photo");
    prev.addEventListener("click", function () { step(-1); });
    var next = el("button", "overlay__nav overlay__nav--next", "›");
    next.type = "button";
    next.setAttribute("aria-label", "Next photo");
    next.addEventListener("click", function () { step(1); });
    var figure = el("figure", "overlay__figure");
    var img = el("img", "overlay__img");
    img.alt = "";
    var caption = el("figcaption", "overlay__caption");
    figure.append(img, caption);
    stage.append(prev, figure, next);
    var side = el("div", "overlay__side");
    dialog.append(bar, stage, side);
    document.body.append(dialog);
    dialog.addEventListener("close", closed);
    swipe(stage);
  }

  function group(link) {
    return Array.prototype.slice.call(
      document.querySelectorAll('a[data-lightbox="' + link.dataset.lightbox + '"]'));
  }

  function show(link) {
    if (!dialog) build();
    current = link;
    var all = group(link);
    var at = all.indexOf(link);
    var img = dialog.querySelector(".overlay__img");
    var thumb = link.querySelector("img");
    img.src = link.dataset.full;
    img.alt = thumb ? thumb.alt : "";
    if (thumb && thumb.getAttribute("width")) { // the true ratio before the pixels arrive
      img.setAttribute("width", thumb.getAttribute("width"));
      img.setAttribute("height", thumb.getAttribute("height"));
    }
    dialog.querySelector(".overlay__caption").textContent = link.dataset.caption || img.alt;
    dialog.querySelector(".overlay__count").textContent = (at + 1) + " of " + all.length;
    dialog.querySelector(".overlay__nav--prev").disabled = at <= 0;
    dialog.querySelector(".overlay__nav--next").disabled = at >= all.length - 1;
    var side = dialog.querySelector(".overlay__side");
    side.replaceChildren();
    if (link.hasAttribute("data-detail")) {
      loadDetail(link.href, side);
      if (!pushed) {
        listUrl = window.location.href;
        history.pushState({ lightbox: link.href }, "", link.href);
        pushed = true;
      } else {
        history.replaceState({ lightbox: link.href }, "", link.href);
      }
    } else {
      var more = el("a", "btn btn--small btn--ghost", "Details and sharing");
      more.href = link.href;
      side.append(more);
    }
    if (!dialog.open) dialog.showModal();
    dialog.querySelector(".overlay__close").focus();
  }

  function loadDetail(url, side) {
    side.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (current && current.href !== url) return; // moved on meanwhile
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        side.replaceChildren(holder.content);
        if (window.htmx) window.htmx.process(side);
        document.dispatchEvent(new CustomEvent("sselfie:content", { detail: side }));
      })
      .catch(function () {
        var link = el("a", "btn btn--small btn--ghost", "Open this photo's page");
        link.href = url;
        side.replaceChildren(link);
      })
      .finally(function () { side.removeAttribute("aria-busy"); });
  }

  function step(delta) {
    if (!current) return;
    var all = group(current);
    var target = all[all.indexOf(current) + delta];
    if (target) show(target);
  }

  function hide() {
    if (dialog && dialog.open) dialog.close();
  }

  function closed() {
    var opener = current;
    current = null;
    if (pushed) {
      pushed = false;
      history.replaceState(null, "", listUrl);
    }
    if (opener) opener.focus();
  }

  function swipe(area) {
    var startX = null;
    var startY = null;
    area.addEventListener("pointerdown", function (e) { startX = e.clientX; startY = e.clientY; });
    area.addEventListener("pointerup", function (e) {
      if (startX === null) return;
      var dx = e.clientX - startX;
      var dy = e.clientY - startY;
      startX = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy)) step(dx < 0 ? 1 : -1);
    });
  }

  function typing(target) {
    return target && target.closest && target.closest("input, select, textarea, [contenteditable]");
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-lightbox]");
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    show(link);
  });

  window.addEventListener("popstate", function () {
    if (dialog && dialog.open && pushed) {
      pushed = false; // the browser already went back to the list
      dialog.close();
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (dialog && dialog.open) {
      if (typing(e.target)) return;
      if (e.key === "ArrowLeft") { e.preventDefault(); step(-1); }
      else if (e.key === "ArrowRight") { e.preventDefault(); step(1); }
      return; // Esc: the dialog closes itself
    }
    if (["ArrowLeft", "ArrowRight", "Escape"].indexOf(e.key) === -1) return;
    if (e.target && e.target.closest && e.target.closest("input, select, textarea, button, summary, [contenteditable]")) return;
    var link = document.querySelector('a[data-key="' + e.key + '"]');
    if (link) {
      e.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
