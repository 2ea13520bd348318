"""Our own pages for bad requests and refused forms, instead of Django's bare ones."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_too_many_fields_get_our_bad_request_page(clinician_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = clinician_client.post(
        reverse("cases:case_create"), {f"field{n}": "x" for n in range(10)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This request could not be handled" in page and "Nothing was saved" in page


def test_a_body_too_large_gets_our_bad_request_page(clinician_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = clinician_client.post(reverse("cases:case_create"), {"question": "x" * 5000})
    assert response.status_code == 400
    assert "This request could not be handled" in response.content.decode()


def test_an_unknown_host_gets_our_bad_request_page(client):
    response = client.get(reverse("login"), HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "This request could not be handled" in response.content.decode()


def test_a_csrf_failure_after_a_new_login_says_what_happened_and_nothing_secret(clinician):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clinician)
    form = browser.get(reverse("cases:case_create"))
    token = form.context["csrf_token"]
    browser.logout()
    browser.force_login(clinician)  # logging in again rotates the CSRF secret
    response = browser.post(
        reverse("cases:case_create"), {"csrfmiddlewaretoken": str(token), "question": "x"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form could not be sent safely" in page
    assert "nothing was saved" in page
    assert "CSRF" not in page and "token" not in page.lower() and str(token) not in page
