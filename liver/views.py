"""The liver lesion table in the case page: rows added, changed and removed in place
(htmx), each change a new case version (``liver.lesions``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from cases.access import get_case_for_user
from cases.models import Case, parse_record_id
from cases.views import CHANGE_CASE, region_changed
from common.htmx import wants_partial
from guidelines import snapshot
from liver import lesions
from liver.lesions import LesionForm
from liver.models import SEGMENT_CHOICES, Lesion


def lesion_context(request: HttpRequest, case: Case, seen, extra: dict) -> dict:
    """What the lesion region needs (map, table, and the add form when it is asked for: from
    a segment of the map, the "Add a lesion" button, or a post with errors); takes its keys
    from ``extra``."""
    segment = request.GET.get("segment", "")
    initial = {"segments": [segment]} if segment in dict(SEGMENT_CHOICES) else {}
    start = dict(initial)
    latest = seen.course.points[-1].timepoint if seen.course and seen.course.points else None
    if latest is not None:  # a lesion found on the latest imaging, most often
        initial.update(imaging=latest.modality, imaging_date=latest.day)
    editing = extra.pop("editing", None) or parse_record_id(request.GET.get("edit", ""))
    edit_form = extra.pop("edit_form", None)
    if editing and edit_form is None:
        lesion = next((lesion for lesion in seen.lesions if lesion.pk == editing), None)
        edit_form = _edit_form(lesion) if lesion else None
    lesion_form = extra.pop("lesion_form", None)
    adding = extra.pop("adding", False) or request.GET.get("lesion") == "new"
    if lesion_form is None and (start or adding):
        lesion_form = LesionForm(initial=initial, prefix=NEW, case=case)
        # The focus where typing starts: the size when the map chose the segment.
        lesion_form.fields["diameter_mm" if start else "segments"].widget.attrs["autofocus"] = True
    return {
        "lesion_form": lesion_form,
        "start_segment": segment if start else "",
        "editing": editing,
        "edit_form": edit_form,
    }


def _case_with_lesions(request: HttpRequest, pk: int) -> Case:
    """A case the user may change, of an area that has the lesion table (else 404)."""
    case = get_case_for_user(request, pk, CHANGE_CASE)
    if snapshot.for_case(case).area.lesion_module != "liver":
        raise Http404("Cases of this disease area have no lesion table.")
    return case


NEW = "new"  # the add form's prefix; a row's form has its own


def _edit_form(lesion: Lesion, data=None) -> LesionForm:
    return LesionForm(data, instance=lesion, prefix=f"lesion-{lesion.pk}")


STALE_LESION = (
    "Someone else changed or removed this lesion meanwhile: nothing of yours was saved. "
    "The table shows it as it is now."
)


def _after_lesion_change(
    request: HttpRequest, case: Case, message: str = "", *, added: bool = False, **extra
):
    """The lesion region again (with the facts and matches it changed), or the case page
    (``cases.views.region_changed``). After a lesion was added, the form is there again for
    the next one."""
    if added and wants_partial(request):
        extra["adding"] = True
    address = "?lesion=new#add-lesion" if added else "#lesions"
    return region_changed(request, case, "liver/_lesions_changed.html", address, message,
                          **extra)  # fmt: skip


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def lesion_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_with_lesions(request, pk)
    form = LesionForm(request.POST, prefix=NEW, case=case)
    if not form.is_valid():
        return _after_lesion_change(request, case, lesion_form=form)
    lesions.add(case, form, request.user)
    return _after_lesion_change(request, case, added=True)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def lesion_edit(request: HttpRequest, pk: int, lesion_pk: int) -> HttpResponse:
    """A row as a form (GET), saved in place (POST)."""
    case = _case_with_lesions(request, pk)
    lesion = Lesion.objects.filter(pk=lesion_pk, case=case).first()
    if lesion is None:
        return _after_lesion_change(request, case, STALE_LESION)
    if request.method == "GET":
        if not wants_partial(request):
            return redirect(f"{case.get_absolute_url()}?edit={lesion.pk}#lesion-{lesion.pk}")
        return render(
            request,
            "liver/_lesion_row.html",
            {"case": case, "lesion": lesion, "form": _edit_form(lesion), "can_change": True},
        )  # fmt: skip
    form = _edit_form(lesion, request.POST)
    if not form.is_valid():
        return _after_lesion_change(request, case, editing=lesion.pk, edit_form=form)
    try:
        lesions.change(lesion, form, request.user)
    except lesions.StaleLesion:
        return _after_lesion_change(request, case, STALE_LESION)
    return _after_lesion_change(request, case)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def lesion_remove(request: HttpRequest, pk: int, lesion_pk: int) -> HttpResponse:
    case = _case_with_lesions(request, pk)
    lesion = Lesion.objects.filter(pk=lesion_pk, case=case).first()
    if lesion is not None:
        lesions.remove(lesion, request.user)
    return _after_lesion_change(request, case)
