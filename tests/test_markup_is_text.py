"""Text typed by users or editors is shown as text on every page and in every PDF."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guidelines.models import Recommendation
from meetings import handouts
from meetings.models import Attendance
from tests.factories import make_case, make_meeting, make_patient
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "</style><style>body{display:none}</style>",
    '" onmouseover="alert(1)" data-x="',
    '<a href="javascript:alert(1)">click</a>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_is_escaped_on_every_page(client, superuser, payload):
    case = make_case(
        patient=make_patient(name=f"Eve {payload}", mrn="X-1"),
        question=payload,
        clinical_summary=payload,
        referring_clinician=payload[:200],
    )
    meeting = make_meeting([case], board_name=f"Board {payload}"[:200], chair=payload[:200])
    Attendance.objects.create(meeting=meeting, name=payload[:200], specialty=payload[:120])
    rec = Recommendation.objects.get(slug="pc-counseling")
    rec.statement = payload
    rec.notes = payload
    rec.save()
    client.force_login(superuser)
    urls = [
        reverse("cases:case_list"),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:case_edit", args=[case.pk]),
        reverse("meetings:meeting_list"),
        reverse("meetings:meeting_detail", args=[meeting.pk]),
        reverse("guidelines:library"),
        reverse("guidelines:recommendation_detail", args=["pc-counseling"]),
        reverse("admin:guidelines_recommendation_change", args=[rec.pk]),
        reverse("admin:guidelines_recommendation_history", args=[rec.pk]),
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert payload not in page, url
    case_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "&lt;" in case_page or "&quot;" in case_page


@pytest.mark.slow
def test_markup_is_printed_as_text_in_the_pdfs():
    # Every payload in one pack (whose case sections are the summary's): a render per
    # payload adds nothing.
    every = "\n".join(PAYLOADS)
    cases = [
        make_case(patient=make_patient(mrn=f"X-{n}"), question=payload, clinical_summary=every)
        for n, payload in enumerate(PAYLOADS)
    ]
    meeting = make_meeting(cases, board_name="Board")
    for n, payload in enumerate(PAYLOADS):
        Attendance.objects.create(meeting=meeting, name=f"{n} {payload}"[:200], specialty="Surgery")
    text = "".join(pdf_text(handouts.render_meeting_handout(meeting).pdf))
    text = text.replace("\n", "").replace(" ", "")
    for payload in PAYLOADS:
        assert payload.replace(" ", "") in text, payload
