// The meeting agenda: after a case is moved up or down (htmx replaces the agenda),
// keyboard focus stays on that case's button; at either end, on its other one.
(function () {
  "use strict";
  let focused = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "agenda") return;
    const active = document.activeElement;
    focused = active && event.detail.target.contains(active) ? active.getAttribute("aria-label") : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focused) return;
    const agenda = document.getElementById("agenda");
    const label = focused;
    focused = null;
    if (!agenda) return;
    let button = agenda.querySelector('button[aria-label="' + CSS.escape(label) + '"]');
    if (button && button.disabled) {
      const other = label.endsWith(" up") ? label.replace(/ up$/, " down") : label.replace(/ down$/, " up");
      button = agenda.querySelector('button[aria-label="' + CSS.escape(other) + '"]');
    }
    if (button) button.focus();
  });
})();
