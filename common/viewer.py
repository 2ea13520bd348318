"""The hospital's image viewer: a link per imaging study, from a URL template that IT sets
(``IMAGE_VIEWER_URL``), e.g. an OHIF viewer's
``https://pacs.example.org/viewer?StudyInstanceUIDs={study_uid}`` or a viewer that finds a
study by ``{accession}``. The app fetches and stores no images for this: the link opens the
viewer, which asks for the hospital's own login.

Pure (no Django; the settings import it): the settings check the template when they load, so that a bad one stops
the app with the reason instead of giving clinicians broken or unsafe links.
"""

from __future__ import annotations

from functools import cache
from string import Formatter
from urllib.parse import quote, urlsplit

PLACEHOLDERS = ("study_uid", "accession")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@cache
def _names(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name is not None)


def problems(template: str, *, debug: bool) -> list[str]:
    """What is wrong with a viewer URL template (nothing for an empty one: no links)."""
    if not template:
        return []
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:
        return [f"it is not a template: {error}"]
    found = []
    names = [name for _, name, _, _ in parsed if name is not None]
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        found.append(f"unknown placeholder(s) {', '.join(unknown)}; use {{study_uid}} or "
                     "{accession}")  # fmt: skip
    if not set(names) & set(PLACEHOLDERS):
        found.append("it names neither {study_uid} nor {accession}")
    if any(spec or conversion for _, name, spec, conversion in parsed if name is not None):
        found.append("a placeholder has a format or conversion; write {study_uid} plainly")
    url = urlsplit(template.replace("{", "").replace("}", ""))
    local = url.hostname in LOCAL_HOSTS
    if url.scheme != "https" and not (url.scheme == "http" and local and debug):
        found.append("it must start with https:// (http only for localhost in development)")
    if not url.hostname:
        found.append("it names no host")
    return found


def link(template: str, study_uid: str, accession: str) -> str:
    """The study's link, or "" when there is no template or the study lacks an identifier
    the template needs. The identifiers are quoted for the URL."""
    if not template:
        return ""
    values = {"study_uid": study_uid, "accession": accession}
    needed = _names(template)
    if not all(values.get(name) for name in needed):
        return ""
    return template.format(**{name: quote(values[name], safe="") for name in needed})
