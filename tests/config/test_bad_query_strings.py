"""Odd query strings on every page: a clear answer, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_case, make_meeting
from tests.urlwalk import routes

pytestmark = pytest.mark.django_db

# Every parameter name a view of ours reads, plus one that none reads.
PARAMS = ("q", "find", "mrn", "status", "primary_site", "page", "source", "section", "patient",
          "unknown")  # fmt: skip


@pytest.fixture
def superuser_client(client, superuser):
    make_meeting([make_case()])
    client.force_login(superuser)
    return client


def test_a_nul_character_in_any_parameter_of_any_page_is_refused_clearly(superuser_client):
    for route in routes():
        for param in PARAMS:
            response = superuser_client.get(route.sample_path, {param: "a\x00b"})
            assert response.status_code == 400, (route.sample_path, param)
            assert b"NUL character" in response.content


@pytest.mark.parametrize(
    "value",
    ["", " ", "%", "_", "\\", "'", '"', "ü" * 500, "9" * 40, "-1", "1e9999", "<b>x</b>", "²", "٣"],
)
def test_searches_and_filters_take_any_printable_text(superuser_client, value):
    paths = [
        reverse(name)
        for name in (
            "cases:case_list",
            "cases:case_create",
            "guidelines:library",
            "meetings:meeting_list",
            "cases:patient_lookup",
        )
    ]
    for path in paths:
        # Every parameter at once: each view reads all of its own whatever the others say.
        response = superuser_client.get(path, dict.fromkeys(PARAMS, value))
        assert response.status_code == 200, (path, value)
