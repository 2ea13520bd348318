"""The decision record of an agenda item: started from the meeting page, saved as a draft."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import require
from accounts.models import ReadKind
from accounts.readlog import record_read
from decisions import services, signing
from decisions.forms import ActionFormSet, ConcordanceFormSet, DecisionForm, SignForm
from decisions.models import Decision
from meetings.models import AgendaItem

SIGNED_IS_FINAL = "This decision is signed: it cannot be changed."
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
    if decision.is_signed:
        messages.warning(request, SIGNED_IS_FINAL)
        return redirect(decision)
    services.freeze(decision)
    messages.success(
        request, "The facts and recommendations are now as the case and the guidelines stand."
    )
    return redirect(decision)


@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _item(request, pk, item_pk, VIEW)
    decision = get_object_or_404(Decision.objects.select_related("signed_by"), agenda_item=item)
    if request.method == "POST":
        require(request, CHANGE)
        if decision.is_signed:
            messages.warning(request, SIGNED_IS_FINAL)
            return redirect(decision)
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
    return _page(
        request, item, decision, form=form, concordance=concordance, actions=actions,
        conflict=conflict,
    )  # fmt: skip


def _page(request, item, decision, *, form=None, concordance=None, actions=None, **extra):
    """The decision page: the record (a form while a draft), what the board saw, signing."""
    record_read(request, ReadKind.CASE_PAGE, [item.case], meeting_id=item.meeting_id)
    context = {
        "item": item,
        "meeting": item.meeting,
        "case": item.case,
        "decision": decision,
        "form": form or DecisionForm(instance=decision),
        "concordance": concordance
        or ConcordanceFormSet(queryset=decision.concordance.all(), prefix="concordance"),
        "actions": actions or ActionFormSet(instance=decision, prefix="actions"),
        "can_change": request.user.has_perm(CHANGE) and not decision.is_signed,
        "sign_form": _sign_form(request, item, decision),
        "sign_problems": [] if decision.is_signed else signing.problems(decision),
        # While a draft: the quorum as attendance stands; once signed, as it was then.
        "quorum": None if decision.is_signed else item.meeting.quorum(),
        "conflict": None,
        **extra,
    }
    return render(request, "decisions/decision_form.html", context)


def _sign_form(request, item, decision, data=None) -> SignForm | None:
    """The signing box, for a draft and a user the board allows to sign."""
    if decision.is_signed or not item.meeting.board.may_sign(request.user):
        return None
    return SignForm(data, user=request.user, initial={"version": decision.version})


@require_http_methods(["POST"])
def decision_sign(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The chair (or a member the board allows) signs, with their password again."""
    item = _item(request, pk, item_pk, VIEW)
    decision = get_object_or_404(Decision, agenda_item=item)
    form = _sign_form(request, item, decision, request.POST)
    if form is None:
        messages.warning(
            request,
            SIGNED_IS_FINAL
            if decision.is_signed
            else "Only the chair, or a member the board allows, signs its decisions.",
        )
        return redirect(decision)
    if form.is_valid():
        try:
            signing.sign(decision, request.user, form.cleaned_data["version"])
        except signing.CannotSign as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Decision signed.")
            return redirect(decision)
    return _page(request, item, decision, sign_form=form)
