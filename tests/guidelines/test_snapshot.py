"""The per-process guideline content: reused while unchanged, rebuilt on any change."""

from __future__ import annotations

import pytest

from guidelines import matching, snapshot
from guidelines.facts import load_catalogue
from guidelines.models import Fact, FactChoice, Recommendation, Section

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
    rules = {rule.id: rule for rule in matching.rules_from_db()}
    assert rules["pc-counseling"].statement == "Changed statement."


def test_a_change_by_raw_update_is_seen_at_once():
    snapshot.current()
    Recommendation.objects.filter(slug="pc-counseling").update(is_published=False)
    assert "pc-counseling" not in {rule.id for rule in matching.rules_from_db()}
    Section.objects.filter(name="Perioperative care").update(position=99)
    rule = next(r for r in matching.rules_from_db() if r.id == "pc-smoking-cessation")
    assert rule.order[0] == 99


def test_catalogue_changes_are_seen_at_once():
    snapshot.current()
    fact = Fact.objects.get(name="sex")
    FactChoice.objects.create(fact=fact, value="intersex", label="Intersex", position=3)
    assert "intersex" in load_catalogue()["sex"].values
    FactChoice.objects.filter(fact=fact, value="intersex").delete()
    assert "intersex" not in load_catalogue()["sex"].values


def test_the_shared_catalogue_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        load_catalogue()["sex"] = None
