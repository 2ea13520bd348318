"""The patient's course on the case page: imaging timepoints with the lesions measured at
them and the response by RECIST 1.1 with its arithmetic, dated values (the latest is what
conditions see), treatments (the facts they give), and bad input named next to its field.

Every response figure here was worked by hand from the fact sheet's rules (liver domain fact
sheet §7): SoD = the target diameters' sum; PR at −30 % of the baseline SoD; PD at +20 %
and +5 mm over the nadir.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.course import course_of, months_between
from cases.forms import CaseForm
from cases.models import Case, DatedValue, ImagingTimepoint, Treatment
from cases.overview import overview
from cases.summary import render_case_summary
from liver.models import Measurement
from tests.factories import make_case, make_lesion, make_meeting, make_patient, measure
from tests.helpers import HTMX, fact_row, liver_content, pdf_text

pytestmark = pytest.mark.django_db

BASELINE, RESTAGING = datetime.date(2026, 6, 1), datetime.date(2026, 9, 1)


@pytest.fixture
def case():
    """Two target lesions (50 + 30 mm: SoD 80 mm) and a non-target one at the baseline."""
    case = make_case(facts={"primary_site": "colorectal", "systemic_therapy_line": "none_yet"})
    make_lesion(case, segments=["VIII"], diameter_mm=50, imaging="ct", imaging_date=BASELINE,
                target=True)  # fmt: skip
    make_lesion(case, segments=["V"], diameter_mm=30, imaging="ct", imaging_date=BASELINE,
                target=True)  # fmt: skip
    make_lesion(case, segments=["II"], diameter_mm=8, imaging="ct", imaging_date=BASELINE)
    return case


def restaging(case, day="2026-09-01", sizes=(30, 22, "not_seen"), **fields) -> dict:
    data = {"imaging-day": day, "imaging-modality": "ct", "imaging-place": "City Hospital",
            "imaging-conclusion": "Smaller.", "imaging-non_target": ""}  # fmt: skip
    for lesion, size in zip(case.lesions.order_by("number"), sizes, strict=False):
        if isinstance(size, int):
            data[f"imaging-lesion-{lesion.pk}-mm"] = str(size)
        elif size:
            data[f"imaging-lesion-{lesion.pk}-state"] = size
    data.update({f"imaging-{key}": value for key, value in fields.items()})
    return data


def test_a_restaging_added_in_place_shows_the_response_with_its_arithmetic(clinician_client, case):
    other = make_case(patient=case.patient)  # the course is the patient's
    url = reverse("cases:timepoint_add", args=[case.pk])
    page = clinician_client.post(url, restaging(case), **HTMX).content.decode()
    # 30 + 22 = 52 mm against 80 mm: −35 %, a partial response.
    assert "SoD 52 mm, baseline 80 mm: −35 %: PR" in page
    assert "Baseline: SoD 80 mm" in page
    assert "Best overall response so far:</strong> PR, partial response (not confirmed)" in page
    assert fact_row("Latest response (RECIST 1.1)", "Partial response (PR)",
                    "RECIST 1.1, imaging of 1 Sep 2026") in page  # fmt: skip
    timepoint = ImagingTimepoint.objects.get(day=RESTAGING)
    assert (timepoint.patient, timepoint.case, timepoint.place) == (case.patient, case,
                                                                    "City Hospital")  # fmt: skip
    sizes = sorted(Measurement.objects.filter(timepoint=timepoint).values_list(
        "lesion__number", "state", "diameter_mm"))  # fmt: skip
    assert sizes == [(1, "measured", 30), (2, "measured", 22), (3, "not_seen", None)]
    case.refresh_from_db()
    other.refresh_from_db()
    assert (case.version, other.version) == (2, 2)  # open forms of both know
    # The lesion table shows each lesion at its latest imaging, out of band.
    assert 'id="lesions" class="panel" aria-labelledby="lesions-heading" hx-swap-oob="true"' in (
        page
    )
    assert 'id="known-facts" class="panel" hx-swap-oob="true"' in page


@pytest.mark.parametrize(
    ("sizes", "fields", "words", "overall"),
    [
        # 24 + 32 = 56 mm: exactly −30 % of 80 mm: PR (the cut-off belongs to PR).
        ((24, 32, 8), {}, "SoD 56 mm, baseline 80 mm: −30 %: PR", "PR"),
        # 25 + 32 = 57 mm: −28.75 % (−29 % would still read "not 30"): SD.
        ((25, 32, 8), {}, "SoD 57 mm, baseline 80 mm: −29 %: SD", "SD"),
        # 60 + 36 = 96 mm: +20 % and +16 mm over the nadir (the baseline, 80): PD.
        ((60, 36, 8), {}, "SoD 96 mm, nadir 80 mm: +20 %, +16 mm: PD", "PD"),
        # Both targets gone, the non-target still there: target CR, overall PR.
        (
            ("not_seen", "not_seen", 8),
            {},
            "every target lesion disappeared (SoD 0 mm): CR; "
            "target lesions gone, non-target disease present: overall PR",
            "PR",
        ),
        # All gone: CR.
        (("not_seen", "not_seen", "not_seen"), {}, "every target lesion disappeared", "CR"),
        # A target too small to measure counts 5 mm: 5 + 30 = 35 mm, −56 %: PR.
        (("too_small", 30, 8), {}, "SoD 35 mm, baseline 80 mm: −56 %: PR", "PR"),
        # A new lesion outside the table: PD whatever the sum.
        ((30, 22, 8), {"new_lesion": "on"}, "a new lesion: overall PD", "PD"),
        # A target not measured: not evaluable, and why.
        ((30, None, 8), {}, "cannot be assessed (not measured: lesion 2)", "NE"),
    ],
)
def test_the_response_at_each_edge_of_the_rules(
    clinician_client, case, sizes, fields, words, overall
):
    url = reverse("cases:timepoint_add", args=[case.pk])
    page = clinician_client.post(url, restaging(case, sizes=sizes, **fields), **HTMX)
    assert words in page.content.decode()
    assert course_of(Case.objects.get(pk=case.pk)).latest.overall == overall
    # The fact the conditions read (NE is the choice that means "not known").
    assert overview(Case.objects.get(pk=case.pk)).values["latest_response"] == overall


def test_a_lesion_first_seen_at_a_restaging_is_a_new_lesion(clinician_client, case):
    new = make_lesion(case, segments=["III"])
    measure(new, RESTAGING, 12)
    for number, size in ((1, 40), (2, 25), (3, "not_seen")):
        measure(case.lesions.get(number=number), RESTAGING, size)
    seen = overview(Case.objects.get(pk=case.pk))
    latest = seen.course.latest
    assert (latest.sod, latest.target, latest.overall) == (65, "SD", "PD")
    assert "New: lesion 4" in clinician_client.get(case.get_absolute_url()).content.decode()


def test_the_response_says_why_it_cannot_be_assessed(clinician_client):
    case = make_case()
    make_lesion(case, segments=["VI"], diameter_mm=8, imaging_date=BASELINE, target=True)
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert "lesion 1 is not measurable at baseline (8 mm; a target needs a longest diameter" in page
    other = make_case(patient=make_patient(mrn="MRN-2"))
    make_lesion(other, segments=["VI"], diameter_mm=30, imaging_date=BASELINE)
    page = clinician_client.get(other.get_absolute_url()).content.decode()
    assert "The response cannot be assessed: no target lesions chosen in the lesion table." in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"day": "2999-01-01"}, "day", "Enter the date of the imaging (after 1900, not in the"),
        ({"day": ""}, "day", "This field is required."),
        ({"study_uid": "abc"}, "study_uid", "A Study Instance UID is digits separated by dots"),
        ({"day": "2026-06-01"}, "day", "The patient has imaging of this date and modality"),
    ],
)
def test_bad_imaging_is_named_next_to_its_field_and_nothing_is_saved(
    clinician_client, case, fields, field, message
):
    before = (ImagingTimepoint.objects.count(), Measurement.objects.count(), case.version)
    url = reverse("cases:timepoint_add", args=[case.pk])
    response = clinician_client.post(url, restaging(case, **fields), **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_imaging-{field}_error"' in page and message in page
    assert 'id="imaging-form" class="course-form"' in page  # the form stays, as typed
    case.refresh_from_db()
    assert (ImagingTimepoint.objects.count(), Measurement.objects.count(), case.version) == before


def test_the_page_shows_buttons_and_each_opens_its_form_in_place(clinician_client, case):
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert 'id="add-imaging"' in page and 'name="imaging-day"' not in page
    for name, field in (("timepoint_add", "imaging-day"), ("value_add", "value-fact"),
                        ("treatment_add", "treatment-kind")):  # fmt: skip
        url = reverse(f"cases:{name}", args=[case.pk])
        region = clinician_client.get(url, **HTMX).content.decode()
        assert f'name="{field}"' in region and "autofocus" in region
        plain = clinician_client.get(url)  # without JavaScript: the case page with it
        assert plain.status_code == 302 and "?course_edit=" in plain["Location"]
        assert f'name="{field}"' in clinician_client.get(plain["Location"]).content.decode()


def test_a_size_and_a_state_for_one_lesion_are_refused(clinician_client, case):
    data = restaging(case)
    first = case.lesions.get(number=1)
    data[f"imaging-lesion-{first.pk}-state"] = "not_seen"  # beside its 30 mm
    page = clinician_client.post(reverse("cases:timepoint_add", args=[case.pk]), data, **HTMX)
    assert "Lesion 1: give its size or say it was not seen or too small, not both." in (
        page.content.decode()
    )
    assert not ImagingTimepoint.objects.filter(day=RESTAGING).exists()


def test_editing_imaging_changes_its_measurements_and_a_stale_edit_saves_nothing(
    clinician_client, case
):
    clinician_client.post(reverse("cases:timepoint_add", args=[case.pk]), restaging(case))
    timepoint = ImagingTimepoint.objects.get(day=RESTAGING)
    url = reverse("cases:timepoint_edit", args=[case.pk, timepoint.pk])
    prefix = f"imaging-{timepoint.pk}"
    form = clinician_client.get(url, **HTMX).content.decode()
    assert f'name="{prefix}-day" value="2026-09-01" autofocus' in form  # typing starts there
    assert f'name="{prefix}-lesion-{case.lesions.get(number=1).pk}-mm" value="30"' in form
    data = {key.replace("imaging-", f"{prefix}-", 1): value
            for key, value in restaging(case, sizes=(26, 20, None)).items()}  # fmt: skip
    data[f"{prefix}-version"] = "1"
    page = clinician_client.post(url, data, **HTMX).content.decode()
    # 26 + 20 = 46 mm of 80: −42.5 %, shown as −43 %; lesion 3 no longer measured there.
    assert "SoD 46 mm, baseline 80 mm: −43 %: PR" in page
    assert not Measurement.objects.filter(timepoint=timepoint, lesion__number=3).exists()
    data[f"{prefix}-lesion-{case.lesions.get(number=1).pk}-mm"] = "60"  # from version 1 again
    page = clinician_client.post(url, data, **HTMX).content.decode()
    assert "Someone else changed or removed this meanwhile: nothing of yours was saved." in page
    assert Measurement.objects.get(timepoint=timepoint, lesion__number=1).diameter_mm == 26


def test_removing_imaging_removes_its_measurements(clinician_client, case):
    clinician_client.post(reverse("cases:timepoint_add", args=[case.pk]), restaging(case))
    timepoint = ImagingTimepoint.objects.get(day=RESTAGING)
    clinician_client.post(reverse("cases:timepoint_remove", args=[case.pk, timepoint.pk]))
    assert not Measurement.objects.filter(timepoint_id=timepoint.pk).exists()
    assert course_of(Case.objects.get(pk=case.pk)).latest is None


def test_a_dated_value_in_another_unit_is_the_latest_the_conditions_see(clinician_client):
    case = make_case(facts={"serum_bilirubin_umol_l": 20})  # typed before the course
    url = reverse("cases:value_add", args=[case.pk])
    data = {"value-fact": "serum_bilirubin_umol_l", "value-value": "3.5",
            "value-unit": "mg/dL", "value-day": "2026-11-02"}  # fmt: skip
    page = clinician_client.post(url, data, **HTMX).content.decode()
    # 3.5 mg/dL × 17.1 = 59.85 µmol/L (shown with one decimal among the facts, as typed
    # values are, and with two in the course's table), the latest: it replaces the typed 20.
    assert "59.85 µmol/L (entered as 3.5 mg/dL)" in page
    assert fact_row("Serum bilirubin", "59.9 µmol/L",
                    "measured 2 Nov 2026, entered as 3.5 mg/dL") in page  # fmt: skip
    clinician_client.post(
        url, {**data, "value-value": "30", "value-unit": "", "value-day": "2026-10-01"}
    )  # fmt: skip (earlier: not latest)
    seen = overview(Case.objects.get(pk=case.pk))
    assert seen.values["serum_bilirubin_umol_l"] == 59.85
    form = CaseForm(case=Case.objects.get(pk=case.pk), catalogue=liver_content().catalogue)
    field = form.fields["fact_serum_bilirubin_umol_l"]
    assert field.disabled
    assert field.help_text == (
        "From the course on the case page: measured 2 Nov 2026, entered as 3.5 mg/dL."
    )
    again = clinician_client.post(url, data, **HTMX).content.decode()
    assert "The patient has a value of this on that date already: remove it first." in again
    negative = clinician_client.post(url, {**data, "value-value": "-1", "value-day": "2026-11-03"},
                                     **HTMX).content.decode()  # fmt: skip
    assert 'id="id_value-value_error"' in negative
    assert DatedValue.objects.count() == 2


def test_treatments_give_the_therapy_line_and_the_resection(clinician_client, case):
    url = reverse("cases:treatment_add", args=[case.pk])
    first = {"treatment-kind": "systemic", "treatment-line": "1",
             "treatment-regimen": "FOLFOX", "treatment-started_on": "2026-06-10"}  # fmt: skip
    page = clinician_client.post(url, first, **HTMX).content.decode()
    assert fact_row("Systemic therapy so far", "First line ongoing",
                    "from the treatment lines, 1 recorded") in page  # fmt: skip
    line = Treatment.objects.get()
    edit = reverse("cases:treatment_edit", args=[case.pk, line.pk])
    ended = {key.replace("treatment-", f"treatment-{line.pk}-"): value
             for key, value in first.items()}  # fmt: skip
    ended.update({f"treatment-{line.pk}-ended_on": "2026-08-20",
                  f"treatment-{line.pk}-stop_reason": "completed",
                  f"treatment-{line.pk}-cycles": "6", f"treatment-{line.pk}-version": "1"})  # fmt: skip
    page = clinician_client.post(edit, ended, **HTMX).content.decode()
    assert fact_row("Systemic therapy so far", "Previously treated",
                    "from the treatment lines, 1 recorded") in page  # fmt: skip
    resection = {"treatment-kind": "liver_resection", "treatment-started_on": "2026-10-01",
                 "treatment-regimen": "Right hepatectomy"}  # fmt: skip
    page = clinician_client.post(url, resection, **HTMX).content.decode()
    assert fact_row("Liver metastases resected", "Yes", "liver resection of 1 Oct 2026") in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "systemic", "line": ""}, "line", "Enter the line of systemic therapy"),
        ({"kind": "ablation", "line": "1"}, "line", "Only systemic therapy has a line."),
        ({"ended_on": "2026-05-01"}, "ended_on", "The end is before the start."),
        ({"stop_reason": "toxicity"}, "ended_on", "Enter when it stopped."),
        ({"started_on": "2999-01-01"}, "started_on", "Enter the start date (after 1900"),
        ({"line": "21"}, "line", "Ensure this value is less than or equal to 20."),
    ],
)
def test_bad_treatments_are_named_next_to_their_field(
    clinician_client, case, fields, field, message
):
    data = {"treatment-kind": "systemic", "treatment-line": "1",
            "treatment-started_on": "2026-06-10"}  # fmt: skip
    data.update({f"treatment-{key}": value for key, value in fields.items()})
    page = clinician_client.post(reverse("cases:treatment_add", args=[case.pk]), data, **HTMX)
    text = page.content.decode()
    assert f'id="id_treatment-{field}_error"' in text and message in text
    assert not Treatment.objects.exists()


def test_the_case_page_costs_the_same_queries_however_long_the_course(client, clinician):
    """1 timepoint × 1 lesion, then 10 × 10 with values and treatments: the same count."""
    client.force_login(clinician)

    def queries(case) -> int:
        client.get(case.get_absolute_url())  # (the content cache, the session)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(case.get_absolute_url()).status_code == 200
        return len(captured)

    small = make_case()
    make_lesion(small, segments=["VI"], diameter_mm=20, imaging_date=BASELINE, target=True)
    big = make_case(patient=make_patient(mrn="MRN-2"))
    rows = [make_lesion(big, segments=[s], target=n < 2)
            for n, s in enumerate(["I", "II", "III", "IVa", "IVb", "V", "VI", "VII", "VIII", "IV"])]  # fmt: skip
    for week in range(10):
        day = BASELINE + datetime.timedelta(weeks=week * 2)
        for row in rows:
            measure(row, day, 40 - week)
        DatedValue.objects.create(patient=big.patient, fact="cea_ng_ml", value=50 - week, day=day)
        Treatment.objects.create(patient=big.patient, kind="systemic", line=week + 1,
                                 started_on=day, ended_on=day)  # fmt: skip
    assert queries(big) == queries(small)


def test_months_since_imaging_are_whole_calendar_months():
    day = datetime.date
    assert months_between(day(2026, 1, 31), day(2026, 2, 28)) == 0
    assert months_between(day(2026, 1, 31), day(2026, 3, 1)) == 1
    assert months_between(day(2026, 1, 15), day(2026, 12, 15)) == 11
    assert months_between(day(2025, 12, 5), day(2026, 12, 5)) == 12
    assert months_between(day(2026, 12, 6), day(2026, 12, 5)) == 0


def test_the_response_is_on_the_case_page_in_meeting_mode_and_on_paper(clinician_client, case):
    """The same words in the three places the board reads them (the PDF read back as text)."""
    clinician_client.post(reverse("cases:timepoint_add", args=[case.pk]), restaging(case))
    DatedValue.objects.create(patient=case.patient, fact="cea_ng_ml", value=48, day=BASELINE)
    Treatment.objects.create(patient=case.patient, kind="systemic", line=1, regimen="FOLFOX",
                             started_on=BASELINE)  # fmt: skip
    words = "SoD 52 mm, baseline 80 mm: −35 %: PR"
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert words in page and "<svg" in page[page.index('id="course"') :]
    item = make_meeting([case]).agenda_items.get()
    mode = reverse("decisions:meeting_mode", args=[item.meeting_id, item.pk])
    shown = clinician_client.get(mode).content.decode()
    assert 'id="mode-course"' in shown and words in shown
    text = " ".join(" ".join(pdf_text(render_case_summary(case).pdf)).split())
    assert "Course" in text and words in text
    assert "Best overall response so far: PR, partial response (not confirmed)" in text
    assert "CEA 1 Jun 2026 48 ng/mL" in text
    assert "Systemic therapy, line 1 FOLFOX 1 Jun 2026 ongoing" in text


@pytest.mark.parametrize(
    ("template", "debug", "problem"),
    [
        ("https://pacs.example.org/viewer?StudyInstanceUIDs={study_uid}", False, None),
        ("https://pacs.example.org/find?acc={accession}", False, None),
        ("http://localhost:3000/viewer?StudyInstanceUIDs={study_uid}", True, None),
        ("http://localhost:3000/viewer?StudyInstanceUIDs={study_uid}", False, "https://"),
        ("http://pacs.example.org/viewer?s={study_uid}", True, "must start with https://"),
        ("javascript:alert(1)//{study_uid}", False, "must start with https://"),
        ("https://pacs.example.org/viewer?s={patient}", False, "unknown placeholder(s) patient"),
        ("https://pacs.example.org/viewer", False, "names neither {study_uid} nor {accession}"),
        ("https://pacs.example.org/v?s={study_uid!r}", False, "format or conversion"),
        ("https://pacs.example.org/v?s={study_uid", False, "it is not a template"),
        ("https:///v?s={study_uid}", False, "it names no host"),
    ],
)
def test_a_viewer_template_is_refused_with_its_reason(template, debug, problem):
    from common import viewer

    found = viewer.problems(template, debug=debug)
    assert (found == []) if problem is None else any(problem in p for p in found), found


def test_imaging_with_identifiers_links_to_the_viewer_but_not_on_paper_or_pseudonymised(
    clinician_client, case, settings
):
    settings.IMAGE_VIEWER_URL = "https://pacs.example.org/viewer?StudyInstanceUIDs={study_uid}"
    baseline = ImagingTimepoint.objects.get(day=BASELINE)
    baseline.study_uid, baseline.accession_number = "1.2.840.113619.2.55", "A&B 7"
    baseline.save()
    link = ('<a class="viewer-link" href="https://pacs.example.org/viewer?StudyInstanceUIDs='
            '1.2.840.113619.2.55" target="_blank" rel="noopener noreferrer">Open images')  # fmt: skip
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert page.count('class="viewer-link"') == 1 and link in page  # (one study has a UID)
    settings.IMAGE_VIEWER_URL = "https://pacs.example.org/find?acc={accession}"
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert 'href="https://pacs.example.org/find?acc=A%26B%207"' in page  # quoted
    item = make_meeting([case]).agenda_items.get()
    mode = reverse("decisions:meeting_mode", args=[item.meeting_id, item.pk])
    assert 'class="viewer-link"' in clinician_client.get(mode).content.decode()
    item.meeting.pseudonymise = True
    item.meeting.save()
    assert 'class="viewer-link"' not in clinician_client.get(mode).content.decode()
    assert "Open images" not in " ".join(pdf_text(render_case_summary(case).pdf))


def test_a_pseudonymised_section_names_nobody_in_the_course(case):
    """The imaging's conclusion and place and a regimen typed with the patient's name, and the
    study's identifiers (they find the patient in the hospital's archive)."""
    from django.template.loader import render_to_string

    from cases.summary import build_section

    name = case.patient.name  # "Ada Example"
    baseline = ImagingTimepoint.objects.get(day=BASELINE)
    baseline.conclusion = f"{name}: three lesions."
    baseline.place, baseline.study_uid, baseline.accession_number = name, "1.2.3.4", "ACC-991"
    baseline.save()
    Treatment.objects.create(patient=case.patient, kind="systemic", line=1, started_on=BASELINE,
                             regimen=f"FOLFOX for {name}")  # fmt: skip
    shown = render_to_string("pdf/_case_section.html", {"section": build_section(
        case, 1, pseudonymise=True)})  # fmt: skip
    assert "Course" in shown and "three lesions" in shown and "FOLFOX for" in shown
    assert name not in shown and "Example" not in shown
    assert "1.2.3.4" not in shown and "ACC-991" not in shown
    identified = render_to_string("pdf/_case_section.html", {"section": build_section(
        case, 1, pseudonymise=False)})  # fmt: skip
    assert f"FOLFOX for {name}" in identified and "ACC-991" in identified
