"""The handout URL fetcher serves our static files and refuses everything else.

Tested directly, because WeasyPrint swallows fetch errors and renders on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from printing import fetcher

STATIC = fetcher.STATIC_BASE


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/style.css",
        "https://example.org/static/css/handout.css",
        "https://handout.invalid/etc/passwd",
        "file:///etc/passwd",
        "data:text/css;base64,Ym9keXt9",
        STATIC + "../config/settings.py",
        STATIC + "css/../../config/settings.py",
        STATIC + "%2e%2e/%2e%2e/config/settings.py",
        STATIC + "css/%2e%2e%2f%2e%2e%2fsettings.py",
        STATIC + "/etc/passwd",
        STATIC + "css\\..\\..\\manage.py",
        STATIC + "css/handout.css%00.png",
        STATIC + "css/no-such-file.css",
        STATIC,
        "//handout.invalid/static/css/handout.css",
        "https://handout.invalid.evil.example/static/css/handout.css",
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(fetcher.FetchRefused):
        fetcher.resolve_static(url)
    with pytest.raises(ValueError):
        fetcher.static_only_fetcher().fetch(url)


def test_the_fetcher_serves_the_handout_stylesheet():
    response = fetcher.static_only_fetcher().fetch(STATIC + "css/handout.css")
    expected = (Path(settings.BASE_DIR) / "static" / "css" / "handout.css").read_bytes()
    assert response.read() == expected
    assert response.content_type == "text/css"


def test_the_fetcher_serves_the_bundled_font():
    response = fetcher.static_only_fetcher().fetch(STATIC + "fonts/Inter-Regular.otf")
    assert response.read()[:4] == b"OTTO"  # an OpenType (CFF) font


def test_the_fetcher_ignores_query_and_fragment():
    path = fetcher.resolve_static(STATIC + "css/handout.css?v=3#top")
    assert path.name == "handout.css"
