"""Demo data of the liver lesion module (``manage.py seed_demo``, after the cases'):
the lesion rows of the demo cases that list them (``cases.demo.DEMO_CASES``), each measured
at the demo's imaging timepoints (one size per imaging), or, for a demo without a course,
at one imaging of its modality five days before the referral."""

from __future__ import annotations

import datetime

from cases.demo import DEMO_AREAS
from cases.models import Case, ImagingTimepoint
from liver.models import Lesion, Measurement, MeasurementState


def seed() -> list[str]:
    added = 0
    for demo in (demo for demos in DEMO_AREAS.values() for demo in demos):
        rows = demo.get("lesions", [])
        case = Case.objects.filter(patient__mrn__iexact=demo["patient"][0]).first()
        if not rows or case is None or case.lesions.exists():
            continue
        timepoints = list(ImagingTimepoint.objects.filter(patient=case.patient).order_by("day"))
        for number, row in enumerate(rows, start=1):
            segments, sizes, imaging, vessels, gone, plan, *more = row
            target, viable, duct = (*more, None, None, None)[:3]
            lesion = Lesion.objects.create(
                case=case, number=number, segments=segments, vessels=vessels, disappeared=gone,
                planned_treatment=plan, target=bool(target), viable_diameter_mm=viable,
                bile_duct_contact=duct,
            )  # fmt: skip
            if not isinstance(sizes, tuple):
                day = case.referral_date - datetime.timedelta(days=5)
                timepoints = [ImagingTimepoint.objects.get_or_create(
                    patient=case.patient, day=day, modality=imaging, defaults={"case": case}
                )[0]]  # fmt: skip
                sizes = (sizes,)
            for timepoint, size in zip(timepoints, sizes, strict=True):
                measured = isinstance(size, int)
                Measurement.objects.create(
                    lesion=lesion, timepoint=timepoint,
                    state=MeasurementState.MEASURED if measured else size,
                    diameter_mm=size if measured else None,
                )  # fmt: skip
        added += 1
    return [f"Added the lesion tables of {added} demo case(s)."] if added else []
