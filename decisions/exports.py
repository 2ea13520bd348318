"""Decisions and actions as spreadsheets (CSV or Excel), per board and period.

Each export names patients, so every case it holds goes into the read log. A record's
row is its version in force (the latest; an amendment replaces what it corrects).
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import require
from common.periods import PeriodForm
from decisions.concordance import CLASS_WORDS
from decisions.models import Action, Decision
from documents import delivery
from meetings.models import Board
from printing import spreadsheets

VIEW = "decisions.view_decision"


class ExportForm(PeriodForm):
    board = forms.ModelChoiceField(
        Board.objects.order_by("name"), required=False, empty_label="Every board"
    )
    field_order = ["board", "start", "end"]

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["start"].label, self.fields["end"].label = "Meetings from", "to"

    def decisions(self):
        """The records in force of the meetings chosen, in meeting and agenda order."""
        data = self.cleaned_data
        start = timezone.make_aware(datetime.datetime.combine(data["start"], datetime.time()))
        end = timezone.make_aware(
            datetime.datetime.combine(data["end"] + datetime.timedelta(days=1), datetime.time())
        )
        found = Decision.objects.filter(
            agenda_item__meeting__starts_at__gte=start, agenda_item__meeting__starts_at__lt=end
        )
        if data.get("board"):
            found = found.filter(agenda_item__meeting__board=data["board"])
        return (
            found.in_force()
            .select_related("agenda_item__meeting__board", "agenda_item__case__patient", "signed_by",
                            "classification")
            .prefetch_related("modalities", "concordance__reason",
                              Prefetch("actions", Action.objects.select_related("done_by")))
            .order_by("agenda_item__meeting__starts_at", "agenda_item__position")
        )  # fmt: skip


@require_http_methods(["GET"])
def exports(request: HttpRequest) -> HttpResponse:
    """The page that chooses a board and period for the decision and action exports."""
    require(request, VIEW)
    return render(request, "decisions/exports.html", {"form": ExportForm()})


def _table(request: HttpRequest, fmt: str, kind: str, name: str, header, rows_of) -> HttpResponse:
    require(request, VIEW)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "decisions/exports.html", {"form": form}, status=400)
    decisions = list(form.decisions())
    data = form.cleaned_data
    filename = f"{name}-{data['start'].isoformat()}-to-{data['end'].isoformat()}.{fmt}"
    content = spreadsheets.table_file(fmt, header, rows_of(decisions), name.title())
    cases = {d.agenda_item.case for d in decisions}
    return delivery.deliver(request, kind, content, filename, cases)


def _common(decision: Decision) -> list:
    item = decision.agenda_item
    patient = item.case.patient
    return [
        item.case_id, patient.name, patient.mrn, item.meeting.board.name,
        timezone.localdate(item.meeting.starts_at).isoformat(),
    ]  # fmt: skip


COMMON = ("Case", "Patient", "MRN", "Board", "Meeting")
DECISION_HEADER = (*COMMON, "Record", "Status", "Signed by", "Signed at", "Outcome", "Intent",
                   "Modalities", "Plan", "Concordance class", "Deviations by reason group",
                   "Recommendations", "Dissent", "Actions open")  # fmt: skip
ACTION_HEADER = (*COMMON, "Action", "Owner", "Due", "Done at", "Done by", "Past due")


@require_http_methods(["GET"])
def decision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    def rows(decisions):
        for d in decisions:
            signer = d.signed_by
            verdict = d.verdict()
            yield [
                *_common(d), "amendment" if d.amends_id else "first record",
                d.get_status_display(), signer.get_full_name() or signer.get_username() if signer else "",
                timezone.localtime(d.signed_at).strftime("%Y-%m-%d %H:%M") if d.signed_at else "",
                d.get_outcome_display(), d.get_intent_display(),
                "; ".join(m.name for m in d.modalities.all()), d.plan,
                CLASS_WORDS[verdict.klass], "; ".join(verdict.reason_groups),
                d.concordance_summary(), d.dissent,
                sum(1 for a in d.actions.all() if a.done_at is None),
            ]  # fmt: skip

    return _table(request, fmt, "decision_export", "decisions", DECISION_HEADER, rows)


@require_http_methods(["GET"])
def action_export(request: HttpRequest, fmt: str) -> HttpResponse:
    today = timezone.localdate()

    def rows(decisions):
        for d in decisions:
            for a in d.actions.all():
                done_by = a.done_by.get_full_name() or a.done_by.get_username() if a.done_by else ""
                yield [
                    *_common(d), a.what, a.owner, a.due.isoformat() if a.due else "",
                    timezone.localtime(a.done_at).strftime("%Y-%m-%d %H:%M") if a.done_at else "",
                    done_by, "yes" if a.done_at is None and a.due and a.due < today else "no",
                ]  # fmt: skip

    return _table(request, fmt, "action_export", "actions", ACTION_HEADER, rows)
