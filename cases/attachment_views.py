"""Reports and key images on the case page: attached, served and removed
(``cases.attachments``). Files are served only here, to those who may see the case, and
every file served goes into the read log."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.models import ReadKind
from accounts.readlog import record_read
from cases import attachments
from cases.access import get_case_for_user
from cases.models import Attachment, Case
from cases.views import CHANGE_CASE, region_changed
from common.htmx import wants_partial

GONE = "Someone else removed this attachment meanwhile."


def _after(request: HttpRequest, case: Case, message: str = "", **extra) -> HttpResponse:
    return region_changed(request, case, "cases/_attachments_changed.html", "#attachments",
                          message, **extra)  # fmt: skip


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk, CHANGE_CASE)
    if request.method == "GET":  # the form opened (or, with ?cancel=1, closed)
        closing = request.GET.get("cancel") == "1"
        if not wants_partial(request):
            return redirect(case.get_absolute_url() + ("" if closing else "?attach=1")
                            + "#attachments")  # fmt: skip
        if closing:
            return region_changed(request, case, "cases/_attachments.html", "#attachments")
        return _after(request, case, attachment_form=attachments.AttachmentForm(case=case))
    form = attachments.AttachmentForm(request.POST, request.FILES, case=case)
    if not form.is_valid():
        return _after(request, case, attachment_form=form)
    try:
        attachments.save(case, form, request.user)
    except attachments.CaseFull:
        form.add_error("upload", attachments.case_full_message(case))
        return _after(request, case, attachment_form=form)
    return _after(request, case)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def attachment_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = get_case_for_user(request, pk, CHANGE_CASE)
    attachment = Attachment.objects.filter(pk=item, case=case).first()
    if attachment is None:
        return _after(request, case, GONE)
    attachment.delete()  # its files go once this is committed (``cases.signals``)
    return _after(request, case)


@csp_exempt()
@require_http_methods(["GET"])
def attachment_file(request: HttpRequest, pk: int, item: int) -> FileResponse:
    """The file (or, with ?size=thumbnail, a picture's small copy), shown in the browser
    under the name it was uploaded with; never cached by shared caches."""
    case = get_case_for_user(request, pk)
    attachment = Attachment.objects.filter(pk=item, case=case).first()
    if attachment is None:
        raise Http404("No such attachment.")
    small = request.GET.get("size") == "thumbnail" and attachment.thumbnail
    stored = attachment.thumbnail if small else attachment.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from the storage.") from None
    record_read(request, ReadKind.ATTACHMENT, [case])
    response = FileResponse(
        handle, content_type=attachment.content_type, filename=_download_name(attachment)
    )
    response["Cache-Control"] = "private, no-store"
    if attachment.is_image:  # (a PDF is left to the browser's own viewer)
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


def _download_name(attachment: Attachment) -> str:
    """The uploaded name, or a name from the title; always with the type's extension."""
    extension = attachments.EXTENSIONS[attachment.content_type]
    base = attachment.original_name.rsplit(".", 1)[0] if attachment.original_name else ""
    base = "".join(c for c in (base or attachment.title) if c.isprintable() and c not in '/\\"')
    return f"{base.strip()[:100] or 'attachment'}{extension}"
