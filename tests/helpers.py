"""Small helpers shared by tests (fixtures live in the conftest files)."""

from __future__ import annotations

import io

from pypdf import PdfReader

# Request headers of an htmx request (django-htmx reads HX-Request).
HTMX = {"HTTP_HX_REQUEST": "true"}


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
