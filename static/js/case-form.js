// The case form: a fact that follows from another one (a man is not pregnant; a
// primary site means a history of cancer outside the liver) is not asked. Its
// question is hidden and its inputs disabled while the rule holds, and a note
// says why. The server applies the same rules (guidelines/derived.py), so the
// form is correct without this script too.
(function () {
  "use strict";

  function valueOf(form, name) {
    const controls = form.querySelectorAll('[name="' + name + '"]');
    for (const control of controls) {
      if (control.type === "radio") {
        if (control.checked) return control.value;
      } else {
        return control.value;
      }
    }
    return "";
  }

  function update(form) {
    for (const field of form.querySelectorAll("[data-follows]")) {
      const value = valueOf(form, field.dataset.follows);
      const when = field.dataset.when;
      const active = value !== "" && (when === "*" || when.split(" ").includes(value));
      field.classList.toggle("is-derived", active);
      const note = field.querySelector(".derived-note");
      if (note) note.hidden = !active;
      for (const part of field.querySelectorAll("fieldset, label, .control, .help, .errorlist")) {
        if (!part.closest(".derived-note")) part.hidden = active;
      }
      for (const input of field.querySelectorAll("input, select, textarea")) {
        input.disabled = active;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("case-form");
    if (!form || !form.querySelector("[data-follows]")) return;
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();

// The live match panel is replaced on every change: a "Why" or a group that was open
// stays open (by its id or its place), so a clinician reading it does not lose it.
(function () {
  "use strict";
  let open = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "match-panel") return;
    open = Array.from(event.detail.target.querySelectorAll("details[open]")).map(function (d) {
      return d.id || d.querySelector("summary").textContent.trim().split(":")[0];
    });
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    const panel = document.getElementById("match-panel");
    if (!panel || !open.length) return;
    for (const details of panel.querySelectorAll("details")) {
      const key = details.id || details.querySelector("summary").textContent.trim().split(":")[0];
      if (open.includes(key)) details.open = true;
    }
  });
})();

// Saving after the session ended: ask first whether this browser is logged in (again,
// perhaps in another tab). If not, say so and keep everything typed; if so, take the
// current form token, which a new login changed, and save.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("case-form");
    if (!form || !form.dataset.sessionUrl) return;
    let checked = false;
    form.addEventListener("submit", function (event) {
      if (checked) return;
      event.preventDefault();
      fetch(form.dataset.sessionUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          const notice = document.getElementById("session-notice");
          if (!state.authenticated) {
            if (notice) notice.innerHTML = form.dataset.sessionEnded;
            return;
          }
          if (notice) notice.innerHTML = "";
          for (const input of form.querySelectorAll('input[name="csrfmiddlewaretoken"]')) {
            input.value = state.csrf_token;
          }
          document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": state.csrf_token }));
          checked = true;
          form.requestSubmit(event.submitter || undefined);
        })
        .catch(function () { checked = true; form.requestSubmit(event.submitter || undefined); });
    });
  });
})();
