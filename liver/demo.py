"""Demo data of the liver lesion module (``manage.py seed_demo``, after the cases'):
the lesion rows of the demo cases that list them (``cases.demo.DEMO_CASES``)."""

from __future__ import annotations

import datetime

from cases.demo import DEMO_CASES
from cases.models import Case
from liver.models import Lesion


def seed() -> list[str]:
    added = 0
    for demo in DEMO_CASES:
        rows = demo.get("lesions", [])
        case = Case.objects.filter(patient__mrn__iexact=demo["patient"][0]).first()
        if not rows or case is None or case.lesions.exists():
            continue
        for number, (segments, size, imaging, vessels, gone, plan) in enumerate(rows, start=1):
            Lesion.objects.create(
                case=case, number=number, segments=segments, diameter_mm=size, imaging=imaging,
                imaging_date=datetime.date(2026, 10, 20), vessels=vessels, disappeared=gone,
                planned_treatment=plan,
            )  # fmt: skip
        added += 1
    return [f"Added the lesion tables of {added} demo case(s)."] if added else []
