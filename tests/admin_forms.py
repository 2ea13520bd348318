"""POST data of admin change forms, as a browser sends them."""

from __future__ import annotations

from guidelines.models import Recommendation


def recommendation_form(rec: Recommendation, added=(), **changes) -> dict:
    """The admin change form's POST data for a recommendation, with changes, and its
    cautions with ``added`` ones ((condition, text) pairs)."""
    data = {
        "slug": rec.slug,
        "subsection": rec.subsection_id,
        "statement": rec.statement,
        "action": rec.action,
        "source": rec.source_id or "",
        "source_detail": rec.source_detail,
        "source_strength": rec.source_strength,
        "source_evidence": rec.source_evidence,
        "digest_grade": rec.digest_grade,
        "notes": rec.notes,
        "verification": rec.verification,
        "verification_status": rec.verification_status,
        "verification_detail": rec.verification_detail,
        "verified_by": rec.verified_by,
        "verified_on": rec.verified_on.isoformat() if rec.verified_on else "",
        "reviewed_on": "",
        "condition": rec.condition,
        "decision_scope": rec.decision_scope,
        "plan_modalities": ",".join(rec.plan_modalities),
        "contradicted_by": ",".join(rec.contradicted_by),
        "alternatives": rec.alternatives,
        **caution_forms(rec, added),
    }
    if rec.is_published:
        data["is_published"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def caution_forms(rec: Recommendation, added=()) -> dict:
    """The cautions inline's POST data: the recommendation's cautions as they are, then
    ``added`` ((condition, text) pairs)."""
    cautions = list(rec.cautions.all())
    data = {
        "cautions-TOTAL_FORMS": str(len(cautions) + len(added)),
        "cautions-INITIAL_FORMS": str(len(cautions)),
        "cautions-MIN_NUM_FORMS": "0",
        "cautions-MAX_NUM_FORMS": "1000",
    }
    for i, caution in enumerate(cautions):
        data |= {f"cautions-{i}-id": caution.pk, f"cautions-{i}-recommendation": rec.pk,
                 f"cautions-{i}-condition": caution.condition, f"cautions-{i}-text": caution.text,
                 f"cautions-{i}-position": caution.position}  # fmt: skip
    for i, (condition, text) in enumerate(added, start=len(cautions)):
        data |= {f"cautions-{i}-recommendation": rec.pk, f"cautions-{i}-condition": condition,
                 f"cautions-{i}-text": text, f"cautions-{i}-position": i + 1}  # fmt: skip
    return data
