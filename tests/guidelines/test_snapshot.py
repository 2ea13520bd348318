"""The per-process guideline content: reused while unchanged, rebuilt on any change."""

from __future__ import annotations

import pghistory.models
import pytest
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat

from guidelines import snapshot
from guidelines.models import Fact, FactChoice, Recommendation, Section
from tests.helpers import liver_content

pytestmark = pytest.mark.django_db


def test_unchanged_content_costs_one_query_and_is_reused(django_assert_num_queries):
    first = snapshot.current()
    with django_assert_num_queries(1):
        again = snapshot.current()
    assert again is first


def test_a_change_through_the_orm_is_seen_at_once():
    snapshot.current()
    rec = Recommendation.objects.get(slug="pc-counseling")
    rec.statement = "Changed statement."
    rec.save()
    rules = {rule.id: rule for rule in liver_content().rules}
    assert rules["pc-counseling"].statement == "Changed statement."


def test_a_change_by_raw_update_is_seen_at_once():
    snapshot.current()
    Recommendation.objects.filter(slug="pc-counseling").update(is_published=False)
    assert "pc-counseling" not in {rule.id for rule in liver_content().rules}
    Section.objects.filter(name="Perioperative care").update(position=99)
    rule = next(r for r in liver_content().rules if r.id == "pc-smoking-cessation")
    assert rule.order[0] == 99


def test_catalogue_changes_are_seen_at_once():
    snapshot.current()
    fact = Fact.objects.get(name="sex")
    FactChoice.objects.create(fact=fact, value="intersex", label="Intersex", position=3)
    assert "intersex" in snapshot.catalogue()["sex"].values
    FactChoice.objects.filter(fact=fact, value="intersex").delete()
    assert "intersex" not in snapshot.catalogue()["sex"].values


def test_the_shared_catalogue_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        snapshot.catalogue()["sex"] = None


def test_every_guideline_model_is_audited_and_a_change_to_any_moves_the_version():
    # The version is read from the audit tables the models name, not from a list that
    # a new model could be missing from.
    content = [m for m in apps.get_app_config("guidelines").get_models() if not _is_event(m)]
    assert set(snapshot.audited_models()) == set(content)
    for model in content:
        before = snapshot.content_version()
        text = min(  # a field that is no key before one that is (another table may refer to it)
            (
                f
                for f in model._meta.fields
                if isinstance(f, models.CharField | models.TextField) and not f.choices
            ),
            key=lambda f: f.unique,
        ).name
        row = model.objects.order_by("pk")[:1]
        assert model.objects.filter(pk__in=row).update(**{text: Concat(text, Value("."))}) == 1
        assert snapshot.content_version() != before, model.__name__


def _is_event(model) -> bool:
    return issubclass(model, pghistory.models.Event)
