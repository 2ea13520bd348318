"""Helpers for the browser tests (their fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "correct horse battery"


def log_in(page, site: str, username: str) -> None:
    page.goto(site + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: reverse("login") not in url)  # logged in and away
