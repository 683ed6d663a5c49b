// Progressive enhancement for the selfie page: each chosen or dropped photo is uploaded
// in its own request, three at a time, with a thumbnail and its own progress, so the
// first verdicts show while the rest are still on their way. Without this script the
// form posts all files at once and the page reloads with the verdicts.
(() => {
  "use strict";
  const form = document.querySelector("form[data-uploader]");
  if (!form) return;
  const endpoint = form.dataset.uploader;
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector("[data-dropzone]");
  const list = document.getElementById("verdicts");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const MAX_PARALLEL = 3;
  const queue = [];
  let active = 0;

  function pendingCard(file) {
    const li = document.createElement("li");
    li.className = "verdict verdict--pending";
    const img = document.createElement("img");
    img.alt = "";
    img.width = 56;
    img.height = 56;
    img.src = URL.createObjectURL(file);
    img.addEventListener("error", () => img.remove()); // HEIC previews: not every browser
    img.addEventListener("load", () => URL.revokeObjectURL(img.src));
    const name = document.createElement("strong");
    name.textContent = file.name;
    const status = document.createElement("span");
    status.className = "verdict__status";
    status.textContent = "Waiting…";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    li.append(img, name, status, bar);
    list.prepend(li);
    return { li, status, bar };
  }

  function finished(card, html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const nodes = Array.from(holder.content.children);
    nodes.forEach((node) => addDismiss(node));
    card.li.replaceWith(...nodes);
    nodes.filter((n) => n.classList.contains("verdict--ok"))
      .forEach((n) => setTimeout(() => n.remove(), 4000));
    document.body.dispatchEvent(new CustomEvent("selfies-changed", { bubbles: true }));
  }

  function failed(card, text) {
    card.li.className = "verdict verdict--bad";
    card.bar.remove();
    card.status.textContent = text;
    addDismiss(card.li);
  }

  function addDismiss(node) {
    if (!node.classList.contains("verdict--bad")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "verdict__dismiss";
    button.textContent = "Dismiss";
    button.addEventListener("click", () => node.remove());
    node.append(button);
  }

  function send(file, card) {
    const xhr = new XMLHttpRequest();
    const data = new FormData();
    data.append("photos", file);
    xhr.open("POST", endpoint);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("HX-Request", "true");
    card.status.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      card.bar.value = Math.round((100 * e.loaded) / e.total);
      if (e.loaded === e.total) card.status.textContent = "Checking…";
    });
    xhr.addEventListener("load", () => {
      if ([201, 400, 422].includes(xhr.status)) finished(card, xhr.responseText);
      // 413: the server names the file and the limits in plain text.
      else if (xhr.status === 413) failed(card, xhr.responseText || "This file is too large to upload.");
      else failed(card, "Something went wrong on our side (" + xhr.status + "). Try this photo again.");
    });
    xhr.addEventListener("error", () => failed(card, "The upload was interrupted. Check your connection and try again."));
    xhr.addEventListener("loadend", () => { active -= 1; pump(); });
    xhr.send(data);
  }

  function pump() {
    while (active < MAX_PARALLEL && queue.length) {
      const [file, card] = queue.shift();
      active += 1;
      send(file, card);
    }
  }

  function add(files) {
    Array.from(files).forEach((file) => queue.push([file, pendingCard(file)]));
    pump();
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  form.addEventListener("submit", (e) => { e.preventDefault(); add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => {
    e.preventDefault();
    zone.classList.add("is-dragging");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("is-dragging")));
  zone.addEventListener("drop", (e) => { e.preventDefault(); add(e.dataTransfer.files); });

  // "Replace" inputs submit as soon as a file is chosen.
  document.addEventListener("change", (e) => {
    if (e.target.matches("input[data-autosubmit]") && e.target.files.length) e.target.form.requestSubmit();
  });
})();
