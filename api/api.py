"""The read-only JSON API (django-ninja): cases, their matches, meetings and decisions.

A request is authenticated by a personal API token (``Authorization: Bearer …``, made
and revoked by the user at /accounts/tokens/) or by the browser's session (for the
docs page's "Try it out"). Either way it acts as its user: the same permissions as the
pages (a refused or missing record is a 404, as on the pages), reads of patient data go
into the read log, and each user has at most API_RATE_PER_MINUTE requests a minute.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, django_auth
from ninja.throttling import UserRateThrottle

from accounts import tokens
from accounts.access import require
from accounts.models import ReadKind, TokenPurpose
from accounts.readlog import record_read
from cases.models import Case
from cases.overview import overview
from decisions.models import Decision, draft_in_progress, record_in_force
from guidelines import matching
from meetings.models import Meeting


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = tokens.find(token, TokenPurpose.API)
        if found is None:
            return None
        request.user = found.user  # the token acts as its user, never as more
        return found


api = NinjaAPI(
    title="Tumor board API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    throttle=[UserRateThrottle(f"{settings.API_RATE_PER_MINUTE}/m")],
)


PAGE = 50

MAX_PAGE = 1_000_000  # far past any listing's end, far below an offset PostgreSQL cannot hold


class Page(PageNumberPagination):
    """ninja's page numbers, bounded: a page number past ``MAX_PAGE`` is refused (422, saying
    so) instead of reaching the database as an offset beyond bigint (a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


# --- Schemas -------------------------------------------------------------------------


class CaseRow(Schema):
    id: int
    patient: str
    mrn: str
    area: str
    status: str
    referral_date: datetime.date
    question: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_patient(case) -> str:
        return case["patient"] if isinstance(case, dict) else case.patient.name

    @staticmethod
    def resolve_mrn(case) -> str:
        return case["mrn"] if isinstance(case, dict) else case.patient.mrn

    @staticmethod
    def resolve_area(case) -> str:
        return case["area"] if isinstance(case, dict) else case.area.name


class Fact(Schema):
    name: str
    label: str
    value: str
    origin: str


class Lesion(Schema):
    number: int
    segments: list[str]
    diameter_mm: int | None = Field(
        description="At its latest imaging; null when not seen, too small or not measured."
    )
    seen: str = Field(description="At its latest imaging: measured, not_seen, too_small, or "
                      "not_measured.")  # fmt: skip
    imaging_date: datetime.date | None = Field(description="Its latest imaging.")
    target: bool = Field(description="A RECIST 1.1 target lesion.")


class CaseDetail(CaseRow):
    date_of_birth: datetime.date
    sex: str
    referring_clinician: str
    clinical_summary: str
    facts: list[Fact]
    lesions: list[Lesion]


class MeetingRow(Schema):
    id: int
    board: str
    starts_at: datetime.datetime
    place: str
    chair: str
    pseudonymised: bool

    @staticmethod
    def resolve_board(meeting) -> str:
        return meeting["board"] if isinstance(meeting, dict) else meeting.board.name

    @staticmethod
    def resolve_pseudonymised(meeting) -> bool:
        return meeting["pseudonymised"] if isinstance(meeting, dict) else meeting.pseudonymise


class AgendaEntry(Schema):
    position: int
    case: int
    patient: str
    decision: int | None  # the record in force: the latest signed version
    draft: int | None  # a version not signed yet (a first draft or an amendment), if any


class MeetingDetail(MeetingRow):
    agenda: list[AgendaEntry]


class ConcordanceRow(Schema):
    recommendation: str
    statement: str
    frozen_as: str  # "applies" (judged) or "pending" (may apply; not judged)
    pending_on: str  # pending: the facts that would decide it
    judgement: str
    reason: str
    reason_group: str  # not followed: patient, trial, guideline or judgement


class ConcordanceClass(Schema):
    # concordant, conditional, discordant or not_assessed (shared/content/concordance.md)
    code: str
    words: str
    reason_groups: list[str]  # one per item not followed
    final: bool  # signed (the class signed with the record) or a draft as it stands


class ActionRow(Schema):
    what: str
    owner: str
    due: datetime.date | None
    done_at: datetime.datetime | None


class DecisionOut(Schema):
    id: int
    case: int
    meeting: int
    status: str
    amends: int | None
    outcome: str
    intent: str
    plan: str
    signed_by: str
    signed_at: datetime.datetime | None
    concordance_class: ConcordanceClass
    concordance: list[ConcordanceRow]
    pathway: str  # the care-pathway line: yes, no, not_applicable, or "" (none)
    pathway_reason: str
    actions: list[ActionRow]


# --- Cases ---------------------------------------------------------------------------


def _case_row(case: Case) -> dict:
    return {
        "id": case.pk, "patient": case.patient.name, "mrn": case.patient.mrn,
        "area": case.area.name, "status": case.status, "referral_date": case.referral_date,
        "question": case.question, "updated_at": case.updated_at,
    }  # fmt: skip


def _case(request: HttpRequest, pk: int) -> Case:
    require(request, "cases.view_case")
    case = Case.objects.select_related("patient", "area").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@api.get("/cases", response=list[CaseRow], tags=["cases"])
@paginate(Page, page_size=PAGE)
def list_cases(request: HttpRequest, status: str = "", q: str = ""):
    """Cases, newest first; ``status`` filters, ``q`` searches names, MRNs and numbers."""
    require(request, "cases.view_case")
    cases = Case.objects.select_related("patient", "area")
    if status:
        cases = cases.filter(status=status)
    if q:
        cases = cases.search(q.strip()[:100])
    return cases


@api.get("/cases/{pk}", response=CaseDetail, tags=["cases"])
def get_case(request: HttpRequest, pk: int):
    """One case with its known facts (in words, with where each came from) and lesions."""
    case = _case(request, pk)
    record_read(request, ReadKind.API, [case])
    seen = overview(case)
    return {
        **_case_row(case),
        "date_of_birth": case.patient.date_of_birth, "sex": case.patient.sex,
        "referring_clinician": case.referring_clinician, "clinical_summary": case.clinical_summary,
        "facts": [{"name": row.spec.name, "label": row.spec.label, "value": row.value,
                   "origin": row.origin} for _, rows in seen.known for row in rows],
        "lesions": [{"number": lesion.number, "segments": list(lesion.segments),
                     "diameter_mm": lesion.diameter_mm,
                     "seen": lesion.latest.state if lesion.latest else "not_measured",
                     "imaging_date": lesion.imaging_date, "target": lesion.target}
                    for lesion in seen.lesions],
    }  # fmt: skip


@api.get("/cases/{pk}/matches", tags=["cases"])
def get_matches(request: HttpRequest, pk: int) -> dict:
    """The recommendations that apply, may apply and do not, with why (as ``match_case``)."""
    case = _case(request, pk)
    record_read(request, ReadKind.API, [case])
    return matching.as_json(overview(case).matches.results)


# --- Meetings ------------------------------------------------------------------------


def _meeting_row(meeting: Meeting) -> dict:
    return {
        "id": meeting.pk, "board": meeting.board.name, "starts_at": meeting.starts_at,
        "place": meeting.place, "chair": meeting.chair, "pseudonymised": meeting.pseudonymise,
    }  # fmt: skip


@api.get("/meetings", response=list[MeetingRow], tags=["meetings"])
@paginate(Page, page_size=PAGE)
def list_meetings(request: HttpRequest, upcoming: bool = False):
    """Meetings, latest first (or the upcoming ones, soonest first)."""
    require(request, "meetings.view_meeting")
    meetings = Meeting.objects.select_related("board")
    if upcoming:
        meetings = meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")
    return meetings


@api.get("/meetings/{pk}", response=MeetingDetail, tags=["meetings"])
def get_meeting(request: HttpRequest, pk: int):
    """A meeting with its agenda (each case and its decision record in force, if any)."""
    require(request, "meetings.view_meeting")
    meeting = Meeting.objects.select_related("board").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    items = list(
        meeting.agenda_items.select_related("case__patient")
        .prefetch_related("decisions")
        .order_by("position")
    )
    record_read(request, ReadKind.API, [item.case for item in items], meeting_id=meeting.pk)
    agenda = []
    for item in items:
        versions = list(item.decisions.all())
        decision, draft = record_in_force(versions), draft_in_progress(versions)
        agenda.append({"position": item.position, "case": item.case_id,
                       "patient": item.case.patient.name,
                       "decision": decision.pk if decision else None,
                       "draft": draft.pk if draft else None})  # fmt: skip
    return {**_meeting_row(meeting), "agenda": agenda}


# --- Decisions -----------------------------------------------------------------------


def _decisions(decisions=None):
    return (
        (Decision.objects.all() if decisions is None else decisions)
        .select_related(
            "agenda_item__case__patient", "agenda_item__meeting", "signed_by", "classification"
        )
        .prefetch_related("concordance__reason", "modalities", "actions")
    )


def _decision(decision: Decision) -> dict:
    signer = decision.signed_by
    item = decision.agenda_item
    verdict = decision.verdict()
    return {
        "id": decision.pk, "case": item.case_id, "meeting": item.meeting_id,
        "status": decision.status, "amends": decision.amends_id, "outcome": decision.outcome,
        "intent": decision.intent, "plan": decision.plan,
        "signed_by": (signer.get_full_name() or signer.get_username()) if signer else "",
        "signed_at": decision.signed_at,
        "concordance_class": {"code": verdict.klass, "words": verdict.words,
                              "reason_groups": list(verdict.reason_groups),
                              "final": decision.is_signed},
        "concordance": [{"recommendation": r.recommendation, "statement": r.statement,
                         "frozen_as": r.frozen_as, "pending_on": r.pending_on,
                         "judgement": r.judgement, "reason": r.reason.name if r.reason else "",
                         "reason_group": r.reason.group if r.reason else ""}
                        for r in decision.concordance.all()],
        "pathway": decision.pathway, "pathway_reason": decision.pathway_reason,
        "actions": [{"what": a.what, "owner": a.owner, "due": a.due, "done_at": a.done_at}
                    for a in decision.actions.all()],
    }  # fmt: skip


class DecisionPage(Page):
    """Decisions as the API shows them, one page at a time (each page read once)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [_decision(d) for d in page["items"]]
        return page


@api.get("/decisions", response=list[DecisionOut], tags=["decisions"])
@paginate(DecisionPage, page_size=PAGE)
def list_decisions(
    request: HttpRequest,
    case: int | None = None,
    meeting: int | None = None,
    versions: str = "in_force",
):
    """The board's decisions, newest first: each agenda item's record in force (its latest
    signed version). ``versions=all`` lists every version instead, drafts and amendments in
    progress included (each with its status; amendments name what they correct)."""
    require(request, "decisions.view_decision")
    if versions not in ("in_force", "all"):
        raise HttpError(400, "versions: use in_force (the default) or all")
    found = Decision.objects.all() if versions == "all" else Decision.objects.in_force()
    found = _decisions(found).order_by("-pk")
    if case is not None:
        found = found.filter(agenda_item__case_id=case)
    if meeting is not None:
        found = found.filter(agenda_item__meeting_id=meeting)
    return found


@api.get("/decisions/{pk}", response=DecisionOut, tags=["decisions"])
def get_decision(request: HttpRequest, pk: int):
    require(request, "decisions.view_decision")
    decision = _decisions().filter(pk=pk).first()
    if decision is None:
        raise Http404
    record_read(request, ReadKind.API, [decision.agenda_item.case])
    return _decision(decision)
