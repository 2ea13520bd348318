// Key images open full size in the page (a dialog) rather than in a new tab; without
// JavaScript the link opens the image itself. Works on regions htmx swaps in.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a.open-image");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const region = link.closest("section") || document;
    const dialog = region.querySelector("dialog.image-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    const image = dialog.querySelector("img");
    image.src = link.href;
    image.alt = link.dataset.title || "";
    dialog.querySelector(".caption").textContent = link.dataset.title || "";
    dialog.showModal();
  });
})();
