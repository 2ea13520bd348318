"""Every published item shows its verification level in words, and the marker unless it
was checked against the guideline's own text: on screen, in JSON and in the PDF."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from cases.summary import render_case_summary
from guidelines.models import Recommendation
from tests.factories import make_case
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db
MARKER = "Not verified against the primary guideline text"


def _published():
    return list(Recommendation.objects.published())


def test_the_library_shows_each_items_level_and_marker(clinician_client):
    page = clinician_client.get(reverse("guidelines:library")).content.decode()
    for rec in _published():
        card = page[page.index(f'id="rec-{rec.slug}"') :]
        card = card[: card.index("</article>")]
        assert escape(rec.get_verification_display()) in card, rec.slug
        assert (MARKER in card) == (rec.verification != "primary"), rec.slug
        assert "verified-primary" not in card and "seed-only" not in card  # no codes


def test_the_match_panel_shows_each_items_level_and_marker(clinician_client):
    case = make_case()
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    for rec in _published():
        card = page[page.index(f'id="match-{rec.slug}"') :]
        card = card[: card.index("</article>")]
        assert escape(rec.get_verification_display()) in card, rec.slug
        assert (MARKER in card) == (rec.verification != "primary"), rec.slug


def test_json_carries_each_items_level_in_words(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text("{}", encoding="utf-8")
    out = io.StringIO()
    call_command("match_case", str(path), stdout=out)
    items = {item["id"]: item for item in json.loads(out.getvalue())["may_apply"]}
    assert len(items) == 54
    for rec in _published():
        item = items[rec.slug]
        assert item["verification"] == rec.verification
        assert item["verification_words"] == rec.get_verification_display()
        assert item["shows_unverified_marker"] == (rec.verification != "primary")


@pytest.mark.slow
def test_the_pdf_prints_each_items_level_and_marker():
    text = " ".join(pdf_text(render_case_summary(make_case()).pdf))
    text = re.sub(r"\s+", " ", text)
    for rec in _published():
        words = rec.get_verification_display()
        expected = f"{MARKER} · {words}" if rec.verification != "primary" else words
        start = text.index(" ".join(rec.statement.split()[:6]))
        assert expected in text[start : start + len(rec.statement) + 200], rec.slug
