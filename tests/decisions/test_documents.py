"""Minutes and outcome letters: what the records say, frozen at signing, rendered in the
background like the pack. The PDFs are rendered once for the module."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from accounts.models import ReadLogEntry
from decisions import documents, services, signing
from decisions.models import (
    Action,
    Decision,
    Judgement,
    LetterTemplate,
    NotFollowedReason,
    Outcome,
)
from documents.tasks import render_document
from guidelines.models import Recommendation
from meetings.models import Attendance, Handout, HandoutKind, Meeting, Specialty
from tests.factories import make_case, make_meeting, make_patient
from tests.helpers import HTMX, pdf_text
from tests.printed import assert_pdf_ua

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SMOKING = "dx-mri-before-resection"


def _decide(item, user, outcome, **fields):
    decision = services.start(item, user)
    for row in decision.concordance.filter(frozen_as="applies"):
        row.judgement = Judgement.FOLLOWED
        if row.recommendation == SMOKING:
            row.judgement = Judgement.NOT_FOLLOWED
            row.reason = NotFollowedReason.objects.get(name="Patient preference")
        row.save()
    pathway = "yes" if decision.shown.get("pathway") else ""
    Decision.objects.filter(pk=decision.pk).update(outcome=outcome, pathway=pathway, **fields)
    decision.refresh_from_db()
    return decision


@pytest.fixture(scope="module")
def board_meeting(module_db):
    chair = User.objects.create_user("chair", first_name="Mara", last_name="Okafor")
    chair.groups.add(Group.objects.get(name=roles.CLINICIAN))
    facts = {
        "primary_site": "colorectal",
        "planned_procedure": "hepatectomy",
        "smoker_current": True,
        "liver_metastases": "confirmed",
        "resectability": "resectable",
        "liver_resection_done": False,
    }
    dana = make_case(patient=make_patient(mrn="M-1", name="Dana Minute"), facts=facts,
                     question="Resect now or after chemotherapy?")  # fmt: skip
    ben = make_case(patient=make_patient(mrn="M-2", name="Ben Deferred"), facts=facts)
    cara = make_case(patient=make_patient(mrn="M-3", name="Cara Waiting"), facts=facts)
    meeting = make_meeting([dana, ben, cara], board_name="HPB board", chair="Dr. M. Okafor")
    board = meeting.board
    board.default_chair = chair
    board.contact_name = "Tumor board coordinator"
    board.contact_phone = "+358 9 471 0000"
    board.contact_email = "hpb-board@example.org"
    board.save()
    board.required_specialties.set(
        [Specialty.objects.create(name="Radiology"), Specialty.objects.create(name="HPB surgery")]
    )
    Attendance.objects.create(meeting=meeting, name="Dr. Ray", specialty="Radiology")
    Attendance.objects.create(meeting=meeting, name="Mara Okafor", specialty="HPB surgery")
    first, second, _ = meeting.agenda_items.order_by("position")
    decided = _decide(first, chair, Outcome.RECOMMENDATION, intent="curative",
                      plan="Two cycles, then restage.")  # fmt: skip
    Action.objects.create(decision=decided, what="Book liver MRI", owner="Dr. Ray")
    signing.sign(decided, chair, decided.version, disagreements_read=True)
    deferred = _decide(second, chair, Outcome.DEFERRED, information_needed="A PET-CT.")
    signing.sign(deferred, chair, deferred.version, disagreements_read=True)
    # After signing, the case and the guideline change: the documents do not.
    old_statement = Recommendation.objects.get(slug=SMOKING).statement
    Recommendation.objects.filter(slug=SMOKING).update(statement="A rewritten statement.")
    dana.question = "A question asked later."
    dana.save()
    minutes_pdf = documents.render_minutes(meeting).pdf
    letter_pdf = documents.render_letter(first).pdf
    minutes, letter = pdf_text(minutes_pdf), pdf_text(letter_pdf)
    Meeting.objects.filter(pk=meeting.pk).update(pseudonymise=True)
    meeting.refresh_from_db()
    pseudonymised = pdf_text(documents.render_minutes(meeting).pdf)
    Meeting.objects.filter(pk=meeting.pk).update(pseudonymise=False)
    return {
        "meeting": meeting,
        "decided": decided,
        "old_statement": old_statement,
        "minutes": " ".join(" ".join(minutes).split()),
        "letter": " ".join(" ".join(letter).split()),
        "pseudonymised": " ".join(" ".join(pseudonymised).split()),
        "pdfs": {"minutes": minutes_pdf, "letter": letter_pdf},
    }


def test_the_minutes_state_the_meeting_and_each_decision(board_meeting):
    text = board_meeting["minutes"]
    for expected in (
        "MINUTES OF THE TUMOR BOARD MEETING",
        "HPB board",
        "Chair Dr. M. Okafor",
        "Dr. Ray Radiology",
        "Mara Okafor HPB surgery",
        "Quorum met",
        "Recommendation made",
        "Curative",
        "Two cycles, then restage.",
        "1 not followed: Patient preference",
        "Not followed: Patient preference.",
        "Book liver MRI Dr. Ray",
        "Signed by Mara Okafor",
        "Deferred: more information needed",
        "A PET-CT.",
        "Guideline concordance: not assessed (deferred)",
        "Record: No decision recorded.",
        f"ITEM 1 OF 3 · CASE {board_meeting['decided'].agenda_item.case_id}",  # (in capitals)
    ):
        assert expected in text, expected
    assert "followed 0 of" not in text


def test_the_documents_print_what_the_board_saw_not_later_edits(board_meeting):
    for name in ("minutes", "letter"):
        text = board_meeting[name]
        assert "Resect now or after chemotherapy?" in text, name
        assert " ".join(board_meeting["old_statement"].split())[:60] in text, name
        assert "A question asked later." not in text and "A rewritten statement." not in text


def test_the_letter_goes_to_the_referrer_with_the_decision_and_the_signer(board_meeting):
    text = board_meeting["letter"]
    decided = Decision.objects.get(pk=board_meeting["decided"].pk)  # as signed
    assert len(decided.verification_code) == 19  # four groups of four, three hyphens
    for expected in (
        "To: Dr. Referrer",
        "Regarding: Dana Minute · MRN M-1",
        "Dear Dr. Referrer,",
        "The HPB board discussed your patient Dana Minute (MRN M-1)",
        "The board's recommendation Two cycles, then restage.",
        "The aim of treatment is curative.",
        "What happens next What Who By Book liver MRI Dr. Ray",
        "Against the guidelines The board departed from 1 guideline recommendation that "
        "applied, for the reason given:",
        "Reason: Patient preference.",
        "Yours sincerely,",
        "Mara Okafor for the HPB board",
        "Contact: Tumor board coordinator · +358 9 471 0000 · hpb-board@example.org",
        f"verification code {decided.verification_code}",
    ):
        assert expected in text, expected
    # Written for its reader: no recommendation ids, no row-by-row "Followed.", no hash.
    assert "Followed." not in text and SMOKING not in text
    assert decided.signature_hash not in text and "SHA-256" not in text


def test_minutes_of_a_pseudonymised_meeting_name_no_patient(board_meeting):
    text = board_meeting["pseudonymised"]
    assert "Dana Minute" not in text and "M-1" not in text and "Ben Deferred" not in text
    assert "PSEUDONYMISED" in text and "Two cycles, then restage." in text


def test_minutes_run_the_same_queries_for_any_number_of_cases(board_meeting):
    meeting = board_meeting["meeting"]
    with CaptureQueriesContext(connection) as three:
        documents.minutes_context(meeting)
    for n in range(4):
        case = make_case(patient=make_patient(mrn=f"X-{n}", name=f"X {n}"))
        item = meeting.agenda_items.create(case=case, position=10 + n)
        services.start(item, None)
    with CaptureQueriesContext(connection) as seven:
        documents.minutes_context(meeting)
    assert len(three) == len(seven) == MINUTES_QUERIES


MINUTES_QUERIES = 10  # items, decisions and their five prefetches, drafts, attendees, quorum


def test_minutes_are_made_in_the_background_and_downloaded(
    board_meeting, coordinator_client, django_capture_on_commit_callbacks
):
    meeting = board_meeting["meeting"]
    with django_capture_on_commit_callbacks(execute=False):
        response = coordinator_client.post(
            reverse("decisions:minutes_generate", args=[meeting.pk]), **HTMX
        )
    assert "Waiting for a worker" in response.content.decode()
    handout = Handout.objects.get(kind=HandoutKind.MINUTES)
    render_document.call(handout.kind, handout.pk)
    status = coordinator_client.get(
        reverse("decisions:document_status", args=[handout.pk]), **HTMX
    ).content.decode()
    assert "Download the minutes (PDF" in status and "hx-trigger" not in status
    download = coordinator_client.get(reverse("meetings:handout_download", args=[handout.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="meeting-')
    assert "minutes.pdf" in download["Content-Disposition"]
    read = ReadLogEntry.objects.filter(kind="minutes", handout_id=handout.pk)
    assert read.count() == 3  # one entry per case the minutes show


def test_a_letter_needs_a_signed_decision(clinician_client, item):
    services.start(item, None)
    url = reverse("decisions:letter_generate", args=[item.meeting_id, item.pk])
    response = clinician_client.post(url)
    assert response.status_code == 302 and not Handout.objects.exists()
    page = clinician_client.get(response["Location"]).content.decode()
    assert "The decision on this case is not signed yet: sign it, then make the letter." in page


def test_the_letter_wording_names_only_known_placeholders(db):
    wording = LetterTemplate.current()
    wording.opening = "Dear {patient}, see {secret.__class__}."
    with pytest.raises(ValidationError, match=r"Unknown placeholder\(s\): \{secret.__class__\}"):
        wording.full_clean()
    filled = LetterTemplate(greeting="Hello {referring_clinician}").filled(
        {"referring_clinician": "Dr. Who"}
    )
    assert filled["greeting"] == "Hello Dr. Who"


def test_render_handout_writes_minutes_and_letters(board_meeting, tmp_path):
    meeting, decided = board_meeting["meeting"], board_meeting["decided"]
    for args, kind in (
        (["--minutes", str(meeting.pk)], HandoutKind.MINUTES),
        (["--letter", str(decided.pk)], HandoutKind.LETTER),
    ):
        target = tmp_path / f"{kind}.pdf"
        call_command("render_handout", *args, "-o", str(target), stdout=io.StringIO())
        assert target.read_bytes().startswith(b"%PDF-")
        assert Handout.objects.filter(kind=kind, status="done").count() == 1
    draft = Decision.objects.filter(status="draft").first() or services.start(
        meeting.agenda_items.order_by("position")[2], None
    )
    with pytest.raises(CommandError, match=f"decision {draft.pk} is not signed"):
        call_command("render_handout", "--letter", str(draft.pk), "-o", str(tmp_path / "x.pdf"))


@pytest.mark.parametrize(
    ("referring", "greeted"),
    [
        ("Dr P. Laine, GP, Kallio Health Centre", "Dr P. Laine"),
        ("Dr. Referrer", "Dr. Referrer"),
        (", Kallio Health Centre", ", Kallio Health Centre"),  # no name: the whole text
    ],
)
def test_the_letter_greets_the_referrer_by_name(referring, greeted):
    assert documents.referring_name(referring) == greeted


@pytest.mark.parametrize("kind", ["minutes", "letter"])
def test_minutes_and_letters_are_tagged_pdf_ua(board_meeting, kind):
    assert_pdf_ua(board_meeting["pdfs"][kind])
