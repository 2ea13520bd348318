"""Plain factories for test data."""

from __future__ import annotations

import datetime

from cases.models import Case, Patient
from guidelines.models import DiseaseArea, Fact, FactChoice, Recommendation, Subsection


def liver():
    """The disease area of the shipped content pack."""
    return DiseaseArea.objects.get(slug="liver")


def make_recommendation(**overrides) -> Recommendation:
    values = {
        "slug": "test-recommendation",
        "subsection": Subsection.objects.filter(section__area__slug="liver")
        .order_by("section__position", "position")
        .first(),
        "statement": "A test statement.",
        "verification_status": "verified-secondary",
        "verification": "secondary",
        "is_published": True,
        "condition": "",
    }
    values.update(overrides)
    rec = Recommendation(**values)
    rec.full_clean()
    rec.save()
    return rec


def make_fact(name: str = "test_fact", kind: str = "boolean", choices=(), **overrides) -> Fact:
    values = {
        "name": name,
        "label": name.replace("_", " ").capitalize(),
        "kind": kind,
        "section_id": "patient",
    }
    values.update(overrides)
    if "section" in values:  # a group by its key
        values["section_id"] = values.pop("section")
    fact = Fact.objects.create(**values)
    for position, (value, label) in enumerate(choices, start=1):
        FactChoice.objects.create(fact=fact, value=value, label=label, position=position)
    return fact


def make_patient(**overrides) -> Patient:
    values = {
        "mrn": "MRN-0001",
        "name": "Ada Example",
        "date_of_birth": datetime.date(1960, 5, 1),
        "sex": "female",
    }
    values.update(overrides)
    return Patient.objects.create(**values)


def make_case(patient=None, facts=None, **overrides) -> Case:
    values = {
        "patient": patient or make_patient(),
        "area": overrides.pop("area", None) or liver(),
        "referring_clinician": "Dr. Referrer",
        "question": "What next?",
        "facts": facts or {},
    }
    values.update(overrides)
    return Case.objects.create(**values)


def make_lesion(case, number=None, diameter_mm=None, imaging="", imaging_date=None, **fields):
    """A row of the case's lesion table (numbered after the last one), measured as given at
    the patient's imaging of that date and modality (2026-10-01 where none is given)."""
    from liver.models import Lesion

    number = number or case.lesions.count() + 1
    lesion = Lesion.objects.create(case=case, number=number, **{"segments": ["VI"], **fields})
    if diameter_mm is not None:
        measure(lesion, imaging_date or datetime.date(2026, 10, 1), diameter_mm, imaging)
    return lesion


def make_timepoint(case, day, modality="ct", **fields):
    from cases.models import ImagingTimepoint

    timepoint, _ = ImagingTimepoint.objects.get_or_create(
        patient=case.patient, day=day, modality=modality, defaults={"case": case, **fields}
    )
    return timepoint


def measure(lesion, day, size, modality="ct"):
    """The lesion's measurement at the imaging of that day: mm, "not_seen" or "too_small"."""
    from liver.models import Measurement

    timepoint = make_timepoint(lesion.case, day, modality)
    state = "measured" if isinstance(size, int) else size
    return Measurement.objects.update_or_create(
        lesion=lesion, timepoint=timepoint,
        defaults={"state": state, "diameter_mm": size if state == "measured" else None},
    )[0]  # fmt: skip


def in_three_days():
    """When an upcoming meeting starts: three days from now."""
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=3)


def make_meeting(cases=(), board_name="Liver board", **overrides):
    """A meeting of the board of that name (made if it does not exist yet)."""
    from django.utils import timezone

    from meetings.models import AgendaItem, Board, Meeting

    values = {
        "board": Board.objects.get_or_create(name=board_name)[0],
        # Under way: it started an hour ago (its decisions may be signed, its pack is made).
        "starts_at": timezone.now() - datetime.timedelta(hours=1),
        "place": "Room 4",
        "chair": "Dr. Chair",
    }
    values.update(overrides)
    meeting = Meeting.objects.create(**values)
    for position, case in enumerate(cases, start=1):
        AgendaItem.objects.create(meeting=meeting, case=case, position=position)
    return meeting


def make_board_cases() -> list[Case]:
    """Three varied cases, the first two with an identifiable name in their free text."""
    ada = make_case(
        patient=make_patient(mrn="H-1001", name="Ada Lovelace", sex="female", date_of_birth=datetime.date(1961, 3, 14)),
        question="Ada Lovelace: upfront hepatectomy or chemotherapy first?",
        clinical_summary="Mrs Lovelace (H-1001) has a sigmoid primary.",
        facts={"primary_site": "colorectal", "planned_procedure": "hepatectomy", "smoker_current": True,
               "alcohol_g_per_day": 40, "liver_metastases": "confirmed", "resectability": "resectable"},
    )  # fmt: skip
    grace = make_case(
        patient=make_patient(mrn="H-1002", name="Grace Hopper", sex="female", date_of_birth=datetime.date(1970, 12, 9)),
        question="Resected GIST metastasis: adjuvant treatment?",
        facts={"primary_site": "gist", "liver_resection_done": True},
    )  # fmt: skip
    emmy = make_case(
        patient=make_patient(mrn="H-1003", name="Emmy Noether", sex="female", date_of_birth=datetime.date(1955, 3, 23)),
        question="Pregnant? No. Indeterminate lesion: next imaging?",
        facts={"ct_mri_inconclusive": True, "history_extrahepatic_cancer": True},
    )  # fmt: skip
    return [ada, grace, emmy]


def png_bytes(width=64, height=48, color=(200, 30, 30)) -> bytes:
    """A real PNG picture (Pillow)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width=64, height=48) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(pages=1) -> bytes:
    """A real PDF with blank pages (pikepdf)."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def make_attachment(case, kind="radiology_report", data=None, title="CT report", **fields):
    """An attachment stored as an upload is (``cases.attachments.store``), checks aside."""
    import datetime

    from cases.attachments import sniff, store
    from cases.models import Attachment

    data = data if data is not None else (png_bytes() if kind == "key_image" else pdf_bytes())
    attachment = Attachment(kind=kind, title=title, day=fields.pop("day", datetime.date(2026, 9, 1)),
                            no_identifiers=kind == "key_image", **fields)  # fmt: skip
    return store(case, attachment, data, None, content_type=sniff(data[:16]),
                 original_name=fields.get("original_name") or "report.pdf")  # fmt: skip
