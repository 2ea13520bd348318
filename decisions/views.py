"""The decision record of an agenda item: started from the meeting page, saved as a draft."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import require
from accounts.models import ReadKind
from accounts.readlog import record_read
from decisions import services
from decisions.forms import ActionFormSet, ConcordanceFormSet, DecisionForm
from decisions.models import Decision
from meetings.models import AgendaItem

VIEW = "decisions.view_decision"
CHANGE = "decisions.change_decision"


def _item(request: HttpRequest, pk: int, item_pk: int, permission: str) -> AgendaItem:
    require(request, permission)
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting__board", "case__patient"),
        pk=item_pk,
        meeting_id=pk,
    )


@require_http_methods(["POST"])
def decision_start(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Open the item's decision record, freezing what the board sees now."""
    item = _item(request, pk, item_pk, "decisions.add_decision")
    decision = services.start(item, request.user)
    return redirect(decision)


@require_http_methods(["POST"])
def decision_refresh(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Show the board the case and the guidelines as they are now (drafts only)."""
    item = _item(request, pk, item_pk, CHANGE)
    decision = get_object_or_404(Decision, agenda_item=item)
    services.freeze(decision)
    messages.success(
        request, "The facts and recommendations are now as the case and the guidelines stand."
    )
    return redirect(decision)


@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _item(request, pk, item_pk, VIEW)
    decision = get_object_or_404(Decision, agenda_item=item)
    if request.method == "POST":
        require(request, CHANGE)
    data = request.POST or None
    form = DecisionForm(data, instance=decision)
    concordance = ConcordanceFormSet(
        data, queryset=decision.concordance.all(), prefix="concordance"
    )
    actions = ActionFormSet(data, instance=decision, prefix="actions")
    conflict = None
    if request.method == "POST" and all(f.is_valid() for f in (form, concordance, actions)):
        try:
            services.save(decision, form, concordance, actions, request.user)
        except services.StaleDecision as stale:
            conflict = stale.current
        else:
            messages.success(request, "Decision draft saved.")
            return redirect(decision)
    record_read(request, ReadKind.CASE_PAGE, [item.case], meeting_id=item.meeting_id)
    return render(
        request,
        "decisions/decision_form.html",
        {
            "item": item,
            "meeting": item.meeting,
            "case": item.case,
            "decision": decision,
            "form": form,
            "concordance": concordance,
            "actions": actions,
            "conflict": conflict,
            "can_change": request.user.has_perm(CHANGE),
        },
    )
