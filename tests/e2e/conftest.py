"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

These tests commit to the database (the live server runs in another thread), so
the database is emptied after each one; they therefore run after every other
test (see tests/conftest.py) and load what they need themselves.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from accounts import roles
from tests.e2e.browser import ARTIFACTS, PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make setup` as root, or apt-get install chromium"
        )
    os.environ.setdefault(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # Playwright's loop in the test thread
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, committed_content):
    """The live site with content, roles and one user per role."""
    users = {}
    for username, role in [("clinician", roles.CLINICIAN), ("coordinator", roles.COORDINATOR)]:
        user = User.objects.create_user(username, password=PASSWORD, first_name=username.title())
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return live_server.url


@pytest.fixture
def new_page(browser):
    """A fresh browser context (its own cookies) per call; console errors are collected."""
    contexts = []

    def open_page():
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        return page

    yield open_page
    for context in contexts:
        context.close()
