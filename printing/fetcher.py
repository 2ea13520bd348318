"""What a printed document may load: the app's own static files, nothing else.

Documents are rendered from our own templates, with every text typed by users
or editors autoescaped. The base URL is a fixed, unresolvable origin
(``https://handout.invalid/``), never the request's host, and the URL fetcher
serves the app's own static files under that origin (and what apps register with
``register_source``) and refuses everything else -- other hosts, ``file:``, ``data:``,
path traversal -- so a document can never make the server read a local file or call the
network.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

BASE_URL = "https://handout.invalid/"
STATIC_BASE = BASE_URL + settings.STATIC_URL.lstrip("/")


class FetchRefused(ValueError):
    """A URL the renderer will not fetch."""


# Other files a document may show, each under its own path of the document origin,
# registered by the app that owns them (a case's key images: ``cases.apps``): the
# reader gets the rest of the path and returns the bytes and their type, or raises
# FetchRefused.
Reader = Callable[[str], tuple[bytes, str]]
_SOURCES: dict[str, Reader] = {}


def register_source(prefix: str, read: Reader) -> None:
    """Let documents show ``BASE_URL + prefix + …``, read by ``read``."""
    _SOURCES[prefix] = read


def _from_source(url: str) -> tuple[bytes, str] | None:
    for prefix, read in _SOURCES.items():
        if url.startswith(BASE_URL + prefix):
            return read(url[len(BASE_URL + prefix) :])
    return None


def resolve_static(url: str) -> Path:
    """The local file behind a static URL under the document origin, or FetchRefused."""
    if not url.startswith(STATIC_BASE):
        raise FetchRefused(f"only the app's static files can be used in a handout, not {url!r}")
    parts = urlsplit(url)
    name = unquote(parts.path[len(urlsplit(STATIC_BASE).path) :])
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or ".." in PurePosixPath(name).parts
    ):
        raise FetchRefused(f"not a static file name: {name!r}")
    found = finders.find(name)
    if not found and staticfiles_storage.exists(name):
        found = staticfiles_storage.path(name)  # hashed names after collectstatic
    if not found or not Path(found).is_file():
        raise FetchRefused(f"no static file {name!r}")
    return Path(found)


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher, reduced to reading our own static files (WeasyPrint 70 API)."""

        def __init__(self):
            super().__init__(allowed_protocols=("https",), allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            found = _from_source(url)
            if found is not None:
                return URLFetcherResponse(url, found[0], {"Content-Type": found[1]})
            path = resolve_static(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher():
    """A new fetcher instance: refuses (raises) for anything but our static files."""
    return _fetcher_class()()
