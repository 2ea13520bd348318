// Meeting mode: n or → opens the next item, p or ← the previous one, d moves to the
// decision. Keys typed into a field are left alone.
(function () {
  "use strict";
  // The agenda is one row that scrolls sideways: bring the item shown into it.
  document.addEventListener("DOMContentLoaded", function () {
    const agenda = document.querySelector(".mode-agenda ol");
    const current = agenda && agenda.querySelector("[aria-current]");
    if (current) agenda.scrollLeft = current.parentElement.offsetLeft - agenda.offsetLeft - 8;
  });
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    let link = null;
    if (event.key === "n" || event.key === "ArrowRight") link = document.querySelector("a[rel=next]");
    if (event.key === "p" || event.key === "ArrowLeft") link = document.querySelector("a[rel=prev]");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    } else if (event.key === "d") {
      const record = document.getElementById("record");
      if (!record) return;
      event.preventDefault();
      const first = record.querySelector("input:not([type=hidden]):not([disabled]), button, textarea");
      (first || record).focus();
    }
  });
})();
