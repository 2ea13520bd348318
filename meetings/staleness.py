"""What changed since a meeting pack was made: the meeting page says so beside the
download, so that an old pack is never taken for the current one."""

from __future__ import annotations

from guidelines import snapshot
from meetings.models import AgendaItem, Handout
from printing.pdf import paper_size


def changes_since(handout: Handout, items: list[AgendaItem]) -> list[str]:
    """What the pack shows that is no longer so, in words (empty: it is current).

    ``items`` are the agenda as it is now (with ``case__patient`` selected). Packs made
    before the agenda and patients were recorded are compared on what they kept.
    """
    kept = handout.content_versions or {}
    cases = kept.get("cases", {})
    patients = kept.get("patients", {})
    then = kept.get("agenda") or [int(pk) for pk in cases]
    now = [item.case_id for item in items]
    found = []
    added, removed = len(set(now) - set(then)), len(set(then) - set(now))
    if added:
        found.append(f"{added} case{'s' if added > 1 else ''} added to the agenda")
    if removed:
        found.append(f"{removed} case{'s' if removed > 1 else ''} taken off the agenda")
    if not added and not removed and kept.get("agenda") and then != now:
        found.append("the agenda was put in another order")
    edited = sum(
        1
        for item in items
        if str(item.case_id) in cases
        and (
            cases[str(item.case_id)] != item.case.version
            or str(item.case_id) in patients
            and patients[str(item.case_id)] != item.case.patient.version
        )
    )
    if edited:
        found.append(f"{edited} case{'s' if edited > 1 else ''} changed")
    shown = kept.get("recommendations", {})
    if kept.get("content") and list(snapshot.content_version()) != kept["content"]:
        now_versions = snapshot.recommendation_versions(shown) if shown else {}
        revised = sum(1 for slug, version in shown.items() if now_versions.get(slug) != version)
        if revised:
            found.append(f"{revised} recommendation{'s' if revised > 1 else ''} it shows edited")
        else:
            found.append("the guideline content was edited (what applies may differ)")
    if handout.pseudonymised != handout.meeting.pseudonymise:
        found.append(
            "pseudonymisation was switched " + ("on" if handout.meeting.pseudonymise else "off")
        )
    if handout.paper_size != paper_size():
        found.append("the paper size changed")
    return found
