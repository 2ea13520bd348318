"""Reports and key images attached to a case: checked, scanned, stored and removed.

A file is accepted only when its content is what it claims to be -- a PDF that pikepdf
opens, a PNG or JPEG that Pillow decodes -- whatever its name says; the name the
uploader gave is kept as a label and never used as a path (``models.stored_name``).
Sizes are limited per file (``ATTACHMENT_MAX_MB``) and per case
(``ATTACHMENT_CASE_MAX_MB``, checked with the case's row locked, so that two uploads at
once cannot pass it together). With a ClamAV daemon set up, every file is scanned before
anything is stored (``common.clamav``); a file that cannot be scanned is refused.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum

from cases.models import (
    MAY_NAME_PATIENT,
    Attachment,
    AttachmentKind,
    Case,
    ImagingTimepoint,
)
from common import clamav

log = logging.getLogger(__name__)

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
# Kinds and the types they take: reports and letters are PDFs, key images pictures.
TYPES = {
    AttachmentKind.RADIOLOGY_REPORT: (PDF,),
    AttachmentKind.PATHOLOGY_REPORT: (PDF,),
    AttachmentKind.LETTER: (PDF,),
    AttachmentKind.KEY_IMAGE: (PNG, JPEG),
    AttachmentKind.OTHER: (PDF, PNG, JPEG),
}
TYPE_WORDS = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image"}
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}  # of a file as it is served
MAX_PIXELS = 50_000_000  # a larger picture is a decompression bomb, not a key image
THUMBNAIL_PIXELS = 480


def megabytes(size: int, *, up: bool = False) -> str:
    """E.g. "1.7 MB"; ``up``: rounded up, so that a file over a limit never reads as on it."""
    tenths = size * 10 / 1_048_576
    return f"{(math.ceil(tenths) if up else round(tenths)) / 10:.1f} MB"


def sniff(head: bytes) -> str | None:
    """The type the first bytes say, or None."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def _check_pdf(data: bytes) -> None:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise forms.ValidationError("The PDF has no pages.")
    except pikepdf.PasswordError:
        raise forms.ValidationError(
            "The PDF is protected by a password: save it without one, then attach it."
        ) from None
    except pikepdf.PdfError:
        raise forms.ValidationError(
            "The file starts like a PDF but is not one that can be read."
        ) from None


def _check_image(data: bytes, kind: str) -> None:
    """A picture that decodes whole. WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for
    the whole process, so a cut-off file is caught here first: a PNG is verified chunk by
    chunk to its end (``verify``), a JPEG must end with its end-of-image marker."""
    from PIL import Image

    unreadable = forms.ValidationError("The file starts like an image but cannot be read.")
    if kind == JPEG and not data.rstrip(b"\0\r\n ").endswith(b"\xff\xd9"):
        raise unreadable
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = {"PNG": PNG, "JPEG": JPEG}.get(image.format or "")
            if image.width * image.height > MAX_PIXELS:
                raise forms.ValidationError(
                    f"The image is {image.width} × {image.height} pixels: at most "
                    f"{MAX_PIXELS // 1_000_000} million pixels."
                )
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes every pixel
    except forms.ValidationError:
        raise
    except Exception:  # Pillow raises many kinds for a file it cannot decode
        raise unreadable from None
    if found != kind:
        raise unreadable


def downscaled(data: bytes, kind: str, pixels: int) -> bytes:
    """A copy of a picture at most ``pixels`` on its longer side, turned upright."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        small = ImageOps.exif_transpose(image)
        small.thumbnail((pixels, pixels))
        out = io.BytesIO()
        if kind == JPEG:
            small.convert("RGB").save(out, "JPEG", quality=88)
        else:
            small.save(out, "PNG")
        return out.getvalue()


def check_size(upload) -> None:
    limit = settings.ATTACHMENT_MAX_MB * 1_048_576
    if upload.size > limit:
        raise forms.ValidationError(
            f"The file is {megabytes(upload.size, up=True)}: at most {settings.ATTACHMENT_MAX_MB} MB a file."
        )


def check_content(upload, kind: str) -> str:
    """The file's type, read from its content; ValidationError says what is wrong."""
    upload.seek(0)
    data = upload.read()
    found = sniff(data[:16])
    allowed = TYPES.get(kind, ())
    if found is None:
        raise forms.ValidationError(
            "This is not a PDF, PNG or JPEG file (its content was checked, not its name)."
        )
    if found not in allowed:
        wanted = " or ".join(TYPE_WORDS[t] for t in allowed)
        raise forms.ValidationError(
            f"A {AttachmentKind(kind).label.lower()} must be {wanted}; this file is "
            f"{TYPE_WORDS[found]}."
        )
    if found == PDF:
        _check_pdf(data)
    else:
        _check_image(data, found)
    return found


def scan(upload) -> bool:
    """Scan with ClamAV when it is set up (True: scanned and clean); refuse otherwise."""
    if not clamav.enabled():
        return False
    upload.seek(0)
    try:
        verdict = clamav.scan(upload.chunks())
    except clamav.Unscanned as error:
        log.error("attachment refused: %s", error)
        raise forms.ValidationError(
            "The file could not be checked for viruses (the scanner did not answer), so it "
            "was not saved. Try again in a moment; if it keeps failing, tell IT."
        ) from None
    if not verdict.clean:
        log.warning("attachment refused: ClamAV found %s", verdict.signature)
        raise forms.ValidationError(
            f"The virus scanner found {verdict.signature} in this file. It was not saved."
        )
    return True


class AttachmentForm(forms.ModelForm):
    upload = forms.FileField(
        label="File", help_text="A PDF report, or a PNG or JPEG key image.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )  # fmt: skip

    class Meta:
        model = Attachment
        fields = ["kind", "title", "day", "timepoint", "no_identifiers"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "no_identifiers": "Needed for a key image: crop away the patient's name, number "
            "and date of birth. Key images are shown in pseudonymised meetings.",
        }

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, prefix="attachment", **kwargs)
        self.case = case
        self.fields["timepoint"].queryset = ImagingTimepoint.objects.filter(
            patient_id=case.patient_id
        )
        self.fields["timepoint"].label_from_instance = lambda t: (
            f"{t.get_modality_display() or 'Imaging'} of {t.when}"
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == AttachmentKind.KEY_IMAGE and not cleaned.get("no_identifiers"):
            self.add_error(
                "no_identifiers",
                "Confirm that the image shows no name, hospital number or date of birth.",
            )
        upload = cleaned.get("upload")
        if upload is not None and kind:
            try:  # a virus is named before anything else is said of the file
                check_size(upload)
                self.scanned = scan(upload)
                self.content_type = check_content(upload, kind)
            except forms.ValidationError as error:
                self.add_error("upload", error)
        return cleaned


class CaseFull(Exception):
    """The case's attachments would pass ATTACHMENT_CASE_MAX_MB."""


def used_bytes(case: Case) -> int:
    return case.attachments.aggregate(total=Sum("size"))["total"] or 0


def save(case: Case, form: AttachmentForm, user) -> Attachment:
    """Store an upload the form checked (``store``)."""
    upload = form.cleaned_data["upload"]
    upload.seek(0)
    attachment = form.save(commit=False)
    return store(case, attachment, upload.read(), user, content_type=form.content_type,
                 original_name=upload.name or "", scanned=form.scanned)  # fmt: skip


def store(
    case: Case, attachment: Attachment, data: bytes, user, *, content_type: str,
    original_name: str = "", scanned: bool = False,
) -> Attachment:  # fmt: skip
    """Write a checked file and its row. The case's row is locked while its total is
    checked and the row written, so that two uploads at once cannot pass the limit
    together (CaseFull); a file written but not recorded (an error) is removed."""
    attachment.case = case
    attachment.content_type = content_type
    attachment.size = len(data)
    attachment.sha256 = hashlib.sha256(data).hexdigest()
    attachment.original_name = original_name[:200]
    attachment.scanned = scanned
    attachment.created_by = attachment.updated_by = user
    if attachment.kind not in MAY_NAME_PATIENT:
        attachment.no_identifiers = True
    written: list[str] = []
    try:
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=case.pk).first()
            limit = settings.ATTACHMENT_CASE_MAX_MB * 1_048_576
            if used_bytes(case) + attachment.size > limit:
                raise CaseFull
            attachment.file.save("upload", ContentFile(data), save=False)
            written.append(attachment.file.name)
            if attachment.is_image:
                small = downscaled(data, attachment.content_type, THUMBNAIL_PIXELS)
                attachment.thumbnail.save("thumbnail", ContentFile(small), save=False)
                written.append(attachment.thumbnail.name)
            attachment.save()
    except BaseException:
        for name in written:
            attachment.file.storage.delete(name)
        raise
    return attachment


def delete_files(attachment: Attachment) -> None:
    """Once the deletion of its row is committed, the attachment's files go too (a row
    removed on the page, or with its case); its audit events stay."""
    names = [f.name for f in (attachment.file, attachment.thumbnail) if f]
    storage = attachment.file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def image_order(attachment: Attachment) -> tuple:
    """Key images as a section prints them: by date, then as attached."""
    return (attachment.day, attachment.pk)


def key_images_of(case: Case) -> list[Attachment]:
    """The case's key images in print order (reads prefetched ``attachments``)."""
    found = [a for a in case.attachments.all() if a.kind == AttachmentKind.KEY_IMAGE]
    return sorted(found, key=image_order)


PRINT_PIXELS = 1600  # a key image's longer side in a printed section


def printed_url(attachment: Attachment) -> str:
    """Where a printed section finds a key image: its id and its content's digest, so that
    a changed file is a changed section (``cases.sections``)."""
    from printing.fetcher import BASE_URL

    return f"{BASE_URL}attachments/{attachment.pk}/{attachment.sha256}"


def read_for_print(rest: str) -> tuple[bytes, str]:
    """The key image ``printed_url`` names, at most PRINT_PIXELS on its longer side
    (registered with the document fetcher in ``CasesConfig.ready``)."""
    from PIL import Image

    from printing.fetcher import FetchRefused

    pk, _, digest = rest.partition("/")
    found = Attachment.objects.filter(
        pk=int(pk) if pk.isdigit() else 0, sha256=digest, kind=AttachmentKind.KEY_IMAGE
    ).first()
    if found is None:
        raise FetchRefused(f"no key image {rest!r}")
    with found.file.open("rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        small_enough = max(image.size) <= PRINT_PIXELS
    if small_enough:
        return data, found.content_type
    return downscaled(data, found.content_type, PRINT_PIXELS), found.content_type


def attachment_limits() -> dict:
    """The limits the form states."""
    return {"file": settings.ATTACHMENT_MAX_MB, "case": settings.ATTACHMENT_CASE_MAX_MB,
            "scanned": clamav.enabled()}  # fmt: skip


def case_full_message(case: Case) -> str:
    return (
        f"The attachments of this case use {megabytes(used_bytes(case))} of "
        f"{settings.ATTACHMENT_CASE_MAX_MB} MB: remove one before adding more."
    )
