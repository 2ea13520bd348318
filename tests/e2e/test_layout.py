"""Screens that hide or garble nothing, measured in Chromium with element boxes at the
sizes people use: 1024×768, 1400×900, 1920×1080 and a 390 px phone.

- the scores block and the lesion table: no text drawn over other text, no label or
  header broken inside a word, nothing wider than its column;
- meeting mode: the sticky header stays small however long the agenda (30 items), and
  the decision column shows all of a record, as a form (a draft) and as a record (signed);
- a signed record reads as a record, not as a form with its fields greyed out;
- the case history says what a clinician understands, never a stored PDF's internals.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions.models import Decision, Outcome
from tests.e2e.browser import ARTIFACTS, log_in
from tests.factories import make_case, make_lesion, make_meeting, make_patient

SIZES = [(1024, 768), (1400, 900), (1920, 1080), (390, 844)]

RICH = {"primary_site": "colorectal", "primary_node_positive": True, "cea_ng_ml": 240,
        "primary_diagnosis_date": "2025-01-10", "liver_metastases_diagnosis_date": "2025-06-01",
        "serum_bilirubin_umol_l": 16.3, "albumin_g_l": 40, "inr": 1.1, "ascites": "none",
        "encephalopathy": "none", "height_cm": 180, "weight_kg": 80, "flr_volume_ml": 522,
        "cirrhosis": False, "neoadjuvant_therapy_given": True, "liver_metastases": "confirmed",
        "resectability": "resectable", "planned_procedure": "hepatectomy",
        "smoker_current": True, "liver_resection_done": False}  # fmt: skip

# Text rectangles of different text nodes that overlap (more than a pixel each way); the
# sticky Save bar floats over the form by design and is left out.
OVERLAPS = """root => {
  const rects = []; let n = 0;
  const floats = el => { for (; el && el !== root; el = el.parentElement)
    if (["sticky", "fixed"].includes(getComputedStyle(el).position)) return true; return false; };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    // (text not drawn, e.g. inside a closed <details>, overlaps nothing)
    if (!node.textContent.trim() || floats(node.parentElement) ||
        !node.parentElement.checkVisibility()) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects())
      if (r.width > 0 && r.height > 0) rects.push([n, r, node.textContent.trim().slice(0, 40), node]);
    n++;
  }
  const found = [], overlap = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
    const [m, a, s] = rects[i], [k, b, t] = rects[j];
    if (m !== k && overlap(a, b)) found.push(s + " ⟷ " + t);
  }
  // An inline box with a background or border of its own drawn over others' text.
  for (const el of root.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const painted = style.backgroundColor !== "rgba(0, 0, 0, 0)" || parseFloat(style.borderTopWidth) > 0;
    if (!painted || !style.display.startsWith("inline") || floats(el)) continue;
    for (const box of el.getClientRects()) for (const [, r, t] of rects.filter(([, , , node]) => !el.contains(node)))
      if (overlap(box, r)) found.push(el.className + " box over " + t);
  }
  return found;
}"""
# Words of the matching cells drawn on more than one line (broken inside the word).
BROKEN_WORDS = """([root, selector]) => {
  const found = [];
  for (const cell of root.querySelectorAll(selector)) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, words = /\\S+/g; let m;
      while ((m = words.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) found.push(m[0]);
      }
    }
  }
  return found;
}"""
# Elements that reach past the root's right edge (outside sideways scrolling boxes), and
# whether the root itself holds more than it shows.
TOO_WIDE = """root => {
  const edge = root.getBoundingClientRect().right + 1, found = [];
  for (const el of root.querySelectorAll("*")) {
    let inside = el.parentElement, scrolls = false;
    while (inside && inside !== root) {
      if (["auto", "scroll"].includes(getComputedStyle(inside).overflowX)) { scrolls = true; break; }
      inside = inside.parentElement;
    }
    const box = el.getBoundingClientRect();
    if (!scrolls && box.width > 0 && box.right > edge)
      found.push(el.tagName + "." + el.className + ": " + (el.textContent || "").trim().slice(0, 40));
  }
  if (root.scrollWidth > root.clientWidth + 1)
    found.push(`the box holds ${root.scrollWidth} px in ${root.clientWidth}`);
  return found;
}"""


def _measure(page, selector: str, labels: str = "th") -> dict[str, list]:
    root = page.locator(selector).element_handle()
    assert root is not None, selector
    return {
        "overlapping text": root.evaluate(OVERLAPS),
        "words broken": page.evaluate(BROKEN_WORDS, [root, labels]),
        "wider than its column": root.evaluate(TOO_WIDE),
    }


@pytest.fixture
def board(site, django_db_blocker):
    """A rich case (every score, five lesions) first on a 30-item agenda with its draft
    record, and a second case whose record is signed."""
    with django_db_blocker.unblock():
        rich = make_case(
            patient=make_patient(mrn="LAY-1", name="Maximiliane Wilhelmina von Hohenzollern-Sigmaringen"),
            facts=RICH,
            question="Resect now, or convert first? " * 3,
        )  # fmt: skip
        for segments, size in ((["II", "III"], 60), (["IVa"], None), (["VI", "VII"], 41),
                               (["VIII"], 18), (["I"], 9)):  # fmt: skip
            make_lesion(rich, segments=segments, diameter_mm=size, vessels="hepatic_vein")
        others = [make_case(patient=make_patient(mrn=f"LAY-{n}", name=f"Patient Number {n}"))
                  for n in range(2, 31)]  # fmt: skip
        meeting = make_meeting([rich, *others], board_name="Layout board")
        first, second = meeting.agenda_items.order_by("position")[:2]
        services.start(first, None)
        signed = services.start(second, None)
        signed.plan = "Two cycles of systemic therapy, then restaging."
        signed.save()
        Decision.objects.filter(pk=signed.pk).update(
            status="signed", signed_at=timezone.now(), signature_hash="a" * 64, signature_mac="a" * 64,
            signed_by=User.objects.get(username="clinician"), outcome=Outcome.RECOMMENDATION,
        )  # fmt: skip
    return {"rich": rich, "meeting": meeting, "first": first, "second": second}


def test_the_scores_and_lesions_of_a_case_page_are_legible_at_every_size(board, site, new_page):
    page = new_page()
    log_in(page, site, "clinician")
    case = board["rich"]
    problems = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(site + case.get_absolute_url())
        for selector in ("#scores", "#lesions", "#known-facts"):
            found = {k: v for k, v in _measure(page, selector).items() if v}
            if found:
                problems[f"{selector} at {width} px"] = found
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.locator("#scores").screenshot(path=str(ARTIFACTS / f"scores-{width}.png"))
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())


def test_meeting_mode_keeps_its_header_small_and_shows_all_of_the_record(
    board, site, new_page, django_db_blocker
):
    page = new_page()
    log_in(page, site, "clinician")
    meeting, first, second = board["meeting"], board["first"], board["second"]
    problems = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for item in (first, second):
            page.goto(site + reverse("decisions:meeting_mode", args=[meeting.pk, item.pk]))
            head = page.locator(".mode-head")
            sticky = head.evaluate("e => getComputedStyle(e).position") == "sticky"
            tall = head.bounding_box()["height"]
            if sticky and tall > 0.3 * height:
                problems[f"header at {width} px"] = f"{tall:.0f} px of {height}"
            row = page.locator(".mode-agenda ol").bounding_box()
            shown = page.locator(".mode-agenda [aria-current]").bounding_box()
            if (
                shown["x"] < row["x"] - 1
                or shown["x"] + shown["width"] > row["x"] + row["width"] + 1
            ):
                problems[f"agenda at {width} px"] = f"item {item.position} is scrolled out of view"
            found = {
                k: v for k, v in _measure(page, ".mode-record", "th, legend, label").items() if v
            }
            if found:
                problems[f"record of item {item.position} at {width} px"] = found
        page.screenshot(path=str(ARTIFACTS / f"meeting-mode-{width}.png"))
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())


def test_a_signed_record_reads_as_a_record_and_the_history_in_a_clinicians_words(
    board, site, new_page
):
    page = new_page()
    log_in(page, site, "clinician")
    meeting, second = board["meeting"], board["second"]
    page.goto(site + reverse("decisions:decision_edit", args=[meeting.pk, second.pk]))
    record = page.locator(".record-view")
    assert "Two cycles of systemic therapy, then restaging." in record.inner_text()
    assert "Recommendation made" in record.inner_text()
    assert page.locator("form.decision-form").count() == 0
    assert page.locator("input:disabled, select:disabled, textarea:disabled").count() == 0
    # A summary printed, then the case page's history.
    case = board["rich"]
    assert page.request.get(site + reverse("cases:case_summary_pdf", args=[case.pk])).ok
    page.goto(site + case.get_absolute_url())
    history = page.locator(".history-table").inner_text()
    assert "Case summary printed" in history and "Lesion added" in history
    assert "Put on a meeting's agenda" in history
    for internal in ("Fingerprint", "content_versions", "casesummary", "Insert ", "['"):
        assert internal not in history, internal
