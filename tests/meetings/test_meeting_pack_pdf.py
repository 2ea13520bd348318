"""The meeting pack and the case summary, as PDF: what they say, to the last line."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cases.summary import content_versions, render_case_summary
from guidelines.models import Recommendation, RecommendationEvent
from meetings import handouts
from meetings.models import Meeting
from printing import fetcher, pdf
from tests.factories import make_case, make_lesion, make_patient
from tests.helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def meeting(module_meeting):
    """The module's meeting, fresh from the database: a test may change it (its changes
    are rolled back after it)."""
    return Meeting.objects.get(pk=module_meeting.pk)


@pytest.fixture(scope="module")
def pack(module_meeting):
    """Rendered once: the tests below only read it (a render takes about two seconds)."""
    return handouts.render_meeting_handout(module_meeting)


def test_the_pack_is_a_pdf(pack):
    assert pack.pdf.startswith(b"%PDF-")
    assert pack.page_count == len(PdfReader(io.BytesIO(pack.pdf)).pages)


def test_the_cover_has_the_meeting_and_the_agenda(pack):
    cover = " ".join(pdf_text(pack.pdf)[0].split())
    assert "Liver metastases board" in cover
    assert "Room 4" in cover and "Dr. Chair" in cover
    for name in ("Ada Lovelace", "Grace Hopper", "Emmy Noether"):
        assert name in cover
    assert "Resected GIST metastasis: adjuvant treatment?" in cover
    assert cover.index("Ada Lovelace") < cover.index("Grace Hopper") < cover.index("Emmy Noether")


def test_every_page_has_header_footer_and_page_x_of_y(pack):
    pages = pdf_text(pack.pdf)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert "Liver metastases board" in text
        assert "Confidential — contains patient data" in text
        assert f"page {number} of {total}" in text


def test_each_case_starts_on_a_new_page(pack, module_meeting):
    pages = pdf_text(pack.pdf)
    cases = [item.case_id for item in module_meeting.agenda_items.order_by("position")]
    starts = [
        i
        for i, text in enumerate(pages)
        for n, case in enumerate(cases, start=1)
        if f"ITEM {n} · CASE {case}\n" in text  # agenda position and case number
    ]
    assert len(starts) == 3 and len(set(starts)) == 3
    assert "Ada Lovelace · MRN H-1001 · born 14 Mar 1961" in pages[starts[0]]


def test_sections_show_applying_statements_markers_and_missing_facts(pack):
    text = "\n".join(pdf_text(pack.pdf)).replace("\n", " ")
    smoking = Recommendation.objects.get(slug="pc-smoking-cessation").statement
    imatinib = Recommendation.objects.get(slug="mm-adjuvant-imatinib-gist").statement
    assert smoking in text
    assert imatinib in text
    assert "Not verified against the primary guideline text" in text
    assert "strength (source's wording): not seen" in text
    assert "Board decision and notes" in text
    assert "Needs:" in text and "Not known, and would decide recommendations:" in text


def test_the_marker_follows_verification(meeting):
    rec = Recommendation.objects.get(slug="mm-adjuvant-imatinib-gist")
    assert rec.shows_unverified_marker
    gist = meeting.cases.get(patient__mrn="H-1002")
    text = " ".join(pdf_text(render_case_summary(gist).pdf)).replace("\n", " ")
    assert f"{rec.statement} JSHBPS 2021" in text
    after = text.index(rec.statement)
    assert "Not verified against the primary guideline text" in text[after : after + 400]
    rec.record_verification("Dr. Checker", rec.updated_at.date())
    rec.save()
    text = " ".join(pdf_text(render_case_summary(gist).pdf)).replace("\n", " ")
    after = text.index(rec.statement)
    assert "Not verified" not in text[after : after + 200]


def test_a_pseudonymised_pack_has_no_name_mrn_or_date_of_birth(meeting):
    meeting.pseudonymise = True
    meeting.save()
    rendered = handouts.render_meeting_handout(meeting)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    for secret in ("Ada", "Lovelace", "Grace", "Hopper", "Emmy", "Noether", "H-1001", "H-1002", "H-1003",
                   "14 Mar 1961", "1961-03-14", "9 Dec 1970", "23 Mar 1955"):  # fmt: skip
        assert secret not in text, secret
        assert secret not in metadata, secret
    assert "AL · born 1961 · case" in text
    assert "GH · born 1970 · case" in text
    assert "AL: upfront hepatectomy" in text  # the name typed into the question is replaced


def test_paper_size_is_a4_by_default_and_letter_as_a_setting(meeting, settings):
    box = PdfReader(io.BytesIO(render_case_summary(meeting.cases.first()).pdf)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)
    settings.HANDOUT_PAPER_SIZE = "letter"
    box = PdfReader(io.BytesIO(render_case_summary(meeting.cases.first()).pdf)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


def test_the_handout_records_the_recommendation_versions_it_printed(pack, module_meeting):
    versions = pack.content_versions["recommendations"]
    rec = Recommendation.objects.get(slug="pc-smoking-cessation")
    printed = RecommendationEvent.objects.get(pgh_id=versions["pc-smoking-cessation"])
    assert printed.statement == rec.statement
    rec.statement = "Edited after the meeting."
    rec.save()
    assert (
        RecommendationEvent.objects.get(pgh_id=versions["pc-smoking-cessation"]).statement
        == printed.statement
    )
    cases = module_meeting.cases.all()
    assert pack.content_versions["cases"] == {str(c.pk): c.version for c in cases}


def test_queries_for_a_pack_do_not_grow_with_the_number_of_cases(
    meeting, django_assert_num_queries
):
    # agenda (1), its cases' lesions (1) and their measurements with their imaging (1), the
    # patients' imaging, dated values and treatments (3), guideline content version (1),
    # the trial list's version (1), attendees (1), recommendation versions (1)
    make_lesion(meeting.agenda_items.first().case, segments=["V"], diameter_mm=20)
    handouts.render_meeting_html(meeting)
    with django_assert_num_queries(11):
        html, sections = handouts.render_meeting_html(meeting)
        content_versions(sections)
    for n in range(4):
        case = make_case(patient=make_patient(mrn=f"X-{n}"), facts={"primary_site": "gastric"})
        meeting.agenda_items.create(case=case, position=10 + n)
        make_lesion(case, segments=["II"], diameter_mm=10 + n)
    with django_assert_num_queries(11):
        html, sections = handouts.render_meeting_html(meeting)
        content_versions(sections)
    assert len(sections) == 7


def test_text_typed_with_markup_is_printed_as_text_and_fetches_nothing(db, monkeypatch):
    fetched = []
    real = pdf.static_only_fetcher

    def recording_fetcher():
        instance = real()
        original = instance.fetch

        def fetch(url, headers=None):
            fetched.append(url)
            return original(url, headers)

        instance.fetch = fetch
        return instance

    monkeypatch.setattr(pdf, "static_only_fetcher", recording_fetcher)
    pdf._parsed.__dict__.clear()  # the style sheet parsed again, its fonts fetched here
    payload = (
        '<img src="file:///etc/passwd"><img src="http://example.org/x.png">'
        "<script>alert(1)</script><style>body{display:none}</style>"
    )
    case = make_case(question=payload, clinical_summary=payload)
    text = "".join(pdf_text(render_case_summary(case).pdf)).replace("\n", "")
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert fetched and all(url.startswith(fetcher.STATIC_BASE) for url in fetched)
    assert not any("passwd" in url or "example.org" in url for url in fetched)


def test_the_case_summary_is_one_case_without_a_blank_first_page(meeting):
    case = meeting.cases.first()
    rendered = render_case_summary(case)
    pages = pdf_text(rendered.pdf)
    assert f"CASE {case.pk}\n" in pages[0] and "ITEM" not in pages[0]  # its number, alone
    assert "Case summary" in pages[0]
    assert f"page 1 of {len(pages)}" in pages[0]
