// The decision record saves itself as it is typed (htmx, debounced). A form posted as a
// whole ("Save the draft", "Take the plan's proposals", signing) must not race that
// autosave: each carries the draft's version, so whichever arrives second would be
// refused as "someone else saved meanwhile". A submit waits for an autosave in flight
// (whose answer brings the new version into every form); an autosave that would start
// after the record's own form was posted is dropped, for that post carries all it holds.
(function () {
  "use strict";
  if (window.decisionFormGuard) return;
  window.decisionFormGuard = true;
  const state = { inFlight: 0, posted: false, waiting: null };
  function autosaving(event) {
    const form = event.target;
    return form instanceof HTMLFormElement && form.matches("form.decision-form[hx-post]");
  }
  // A submit never waits longer than this: the server's version check still stands.
  const LONGEST_WAIT_MS = 10000;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!autosaving(event) || event.defaultPrevented) return;
    if (state.posted) {
      event.preventDefault();
      return;
    }
    state.inFlight += 1;
  });
  function submitWaiting() {
    const waiting = state.waiting;
    if (!waiting) return;
    state.waiting = null;
    window.clearTimeout(waiting.timer);
    // After the out-of-band swap of the new version has settled.
    window.setTimeout(function () { waiting.form.requestSubmit(waiting.submitter); }, 0);
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!autosaving(event)) return;
    state.inFlight = Math.max(0, state.inFlight - 1);
    if (state.inFlight === 0) submitWaiting();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !document.querySelector("form.decision-form[hx-post]")) return;
    if (state.inFlight > 0) {
      event.preventDefault();
      if (state.waiting) window.clearTimeout(state.waiting.timer);
      state.waiting = { form: form, submitter: event.submitter || null };
      state.waiting.timer = window.setTimeout(function () {
        state.inFlight = 0;  // an answer that never came: submit anyway
        submitWaiting();
      }, LONGEST_WAIT_MS);
      return;
    }
    if (form.matches("form.decision-form")) state.posted = true;
  }, true);
  // Back from the next page (the browser's page cache): the forms may be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    state.inFlight = 0;
    state.posted = false;
    state.waiting = null;
  });
})();
