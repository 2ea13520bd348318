"""System checks and migrations."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from guidelines.checks import published_conditions_are_valid
from guidelines.models import Recommendation

pytestmark = pytest.mark.django_db


def test_shipped_content_passes_the_condition_check():
    assert published_conditions_are_valid(databases=["default"]) == []


def test_a_condition_broken_outside_the_admin_is_reported():
    # queryset.update skips model validation, as raw SQL or a restore would
    Recommendation.objects.filter(slug="pc-counseling").update(condition="smoker = true")
    errors = published_conditions_are_valid(databases=["default"])
    assert [e.id for e in errors] == ["guidelines.E001"]
    assert "pc-counseling" in errors[0].msg and "unknown fact 'smoker'" in errors[0].msg


def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
