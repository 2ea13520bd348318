"""The guideline admin: what editors can do, what others cannot, and the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from guidelines.models import Fact, Recommendation
from tests.admin_forms import recommendation_form

pytestmark = pytest.mark.django_db


def change_url(rec) -> str:
    return reverse("admin:guidelines_recommendation_change", args=[rec.pk])


ADMIN_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize(("app", "model"), ADMIN_MODELS)
def test_every_admin_changelist_and_add_page_loads(client, superuser, app, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    add = client.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code in (200, 403)  # 403: event models are read-only by design
    if app == "guidelines":
        assert add.status_code == 200


def test_recommendation_change_page_shows_the_fact_reference(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-smoking-cessation")
    page = client.get(change_url(rec)).content.decode()
    assert "Facts a condition can use" in page
    assert "<code>serum_bilirubin_umol_l</code>" in page
    assert "dMMR_MSI_H" in page


def test_editor_changes_statement_and_condition(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-smoking-cessation")
    response = client.post(
        change_url(rec),
        recommendation_form(
            rec,
            statement="Advise smokers to stop at least 4 weeks before hepatectomy.",
            condition="planned_procedure = hepatectomy and smoker_current = true and age_years >= 18",
            verification_confirmed="1",
        ),
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.statement == "Advise smokers to stop at least 4 weeks before hepatectomy."
    assert rec.condition.endswith("age_years >= 18")
    assert rec.updated_by == editor


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            "smoker = true",
            "column 1: unknown fact &#x27;smoker&#x27;; did you mean &#x27;smoker_current&#x27;?",
        ),
        ("primary_site = lung", "lung is not an allowed value of primary_site"),
        (
            "smoker_current = 1",
            "smoker_current is a yes/no fact: compare it with true or false, not 1",
        ),
        ("planned_procedure = hepatectomy and", "column 36: expected a fact name"),
    ],
)
def test_a_bad_condition_is_refused_next_to_the_field_and_nothing_is_saved(
    client, editor, condition, message
):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-smoking-cessation")
    before = (rec.statement, rec.condition)
    response = client.post(
        change_url(rec), recommendation_form(rec, statement="Changed.", condition=condition)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="errorlist' in page
    rec.refresh_from_db()
    assert (rec.statement, rec.condition) == before


def test_unverified_placeholder_cannot_be_published(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="tp-embolization-placeholder")
    response = client.post(change_url(rec), recommendation_form(rec, is_published="on"))
    assert response.status_code == 200
    assert "An unverified placeholder cannot be published" in response.content.decode()
    rec.refresh_from_db()
    assert not rec.is_published


def test_mark_verified_records_who_and_when_and_clears_the_marker(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-alcohol-cessation")
    assert rec.shows_unverified_marker
    response = client.post(
        reverse("admin:guidelines_recommendation_changelist"),
        {"action": "mark_verified", "_selected_action": [rec.pk]},
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.verified_by == "Edith Editor"
    assert rec.verified_on == timezone.localdate()
    assert rec.verification_status == "verified-primary"
    assert not rec.shows_unverified_marker


def test_verification_date_without_a_name_is_refused(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-alcohol-cessation")
    response = client.post(change_url(rec), recommendation_form(rec, verified_on="2026-11-01"))
    assert response.status_code == 200
    assert "Say who checked it" in response.content.decode()


def test_publish_and_unpublish_actions(client, editor):
    client.force_login(editor)
    changelist = reverse("admin:guidelines_recommendation_changelist")
    rec = Recommendation.objects.get(slug="pc-counseling")
    client.post(changelist, {"action": "unpublish", "_selected_action": [rec.pk]})
    rec.refresh_from_db()
    assert not rec.is_published
    placeholder = Recommendation.objects.get(slug="po-antiemetics-placeholder")
    response = client.post(
        changelist, {"action": "publish", "_selected_action": [rec.pk, placeholder.pk]}, follow=True
    )
    rec.refresh_from_db()
    placeholder.refresh_from_db()
    assert rec.is_published
    assert not placeholder.is_published
    assert (
        "unverified placeholders cannot be published (po-antiemetics-placeholder)"
        in response.content.decode()
    )


def test_history_shows_who_changed_what_before_and_after(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-smoking-cessation")
    old = rec.statement
    client.post(
        change_url(rec),
        recommendation_form(rec, statement="A new statement.", verification_confirmed="1"),
    )
    page = client.get(
        reverse("admin:guidelines_recommendation_history", args=[rec.pk])
    ).content.decode()
    assert "Edith Editor" in page
    assert old in page and "A new statement." in page
    assert "manage.py load_content" in page  # the original insert


def test_changes_through_the_admin_are_recorded_with_the_user(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-counseling")
    client.post(change_url(rec), recommendation_form(rec, notes="Checked wording."))
    event = Events.objects.tracks(rec).filter(pgh_label="update").latest("pgh_created_at")
    assert event.pgh_context["user"] == editor.pk
    assert event.pgh_diff["notes"] == ["", "Checked wording."]


def test_clinicians_cannot_reach_the_admin(client, clinician):
    client.force_login(clinician)
    rec = Recommendation.objects.get(slug="pc-counseling")
    response = client.post(change_url(rec), recommendation_form(rec, statement="Hacked."))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    rec.refresh_from_db()
    assert rec.statement != "Hacked."


def test_staff_without_the_editor_role_cannot_change_guideline_content(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    rec = Recommendation.objects.get(slug="pc-counseling")
    page = client.get(change_url(rec))
    assert page.status_code == 200  # roles that read guidelines get a read-only view
    assert 'name="_save"' not in page.content.decode()
    response = client.post(change_url(rec), recommendation_form(rec, statement="Hacked."))
    assert response.status_code == 403
    rec.refresh_from_db()
    assert rec.statement != "Hacked."


def fact_form(**changes) -> dict:
    data = {
        "name": "icg_r15_pct",
        "label": "ICG retention at 15 minutes",
        "kind": "number",
        "section": "liver_disease",
        "position": "20",
        "help_text": "",
        "unit": "%",
        "minimum": "0",
        "maximum": "100",
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_editor_adds_a_fact_and_uses_it_in_a_condition_without_a_code_change(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:guidelines_fact_add"), fact_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Fact.objects.get(name="icg_r15_pct").unit == "%"
    rec = Recommendation.objects.get(slug="pc-counseling")
    response = client.post(
        change_url(rec),
        recommendation_form(
            rec,
            condition="planned_procedure = hepatectomy and icg_r15_pct > 10",
            verification_confirmed="1",
        ),
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.condition.endswith("icg_r15_pct > 10")


def test_a_fact_change_that_would_break_a_condition_is_refused(client, editor):
    client.force_login(editor)
    fact = Fact.objects.get(name="alcohol_g_per_day")
    url = reverse("admin:guidelines_fact_change", args=[fact.pk])
    response = client.post(
        url,
        fact_form(
            name="alcohol_g_per_day", label="Alcohol", section="perioperative_risk", maximum="20"
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This change would break conditions that use this fact" in page
    assert "pc-alcohol-cessation" in page
    fact.refresh_from_db()
    assert fact.maximum is None


def test_a_fact_used_by_a_condition_cannot_be_deleted(client, editor):
    client.force_login(editor)
    fact = Fact.objects.get(name="smoker_current")
    response = client.post(reverse("admin:guidelines_fact_delete", args=[fact.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Fact.objects.filter(name="smoker_current").exists()


def test_an_unused_fact_can_be_deleted(client, editor):
    client.force_login(editor)
    fact = Fact.objects.get(name="her2_status")
    response = client.post(reverse("admin:guidelines_fact_delete", args=[fact.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Fact.objects.filter(name="her2_status").exists()


def test_reviewed_on_is_an_ordinary_date(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-counseling")
    client.post(change_url(rec), recommendation_form(rec, reviewed_on="2026-11-20"))
    rec.refresh_from_db()
    assert rec.reviewed_on == datetime.date(2026, 11, 20)


def test_editing_a_primary_items_statement_cannot_leave_it_primary_silently(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.filter(is_published=True, verification="primary").first()
    edited = recommendation_form(rec, statement=rec.statement + " Edited.")
    response = client.post(change_url(rec), edited)
    page = response.content.decode()
    assert response.status_code == 200
    assert "an edit is not a verification" in page
    assert "Proposed: “Partly checked”" in page
    # the weaker of primary and partial
    assert response.context["adminform"].form["verification"].value() == "partial"
    assert 'name="verification_confirmed" value="1"' in page
    rec.refresh_from_db()
    assert not rec.statement.endswith("Edited.") and rec.verification == "primary"
    # The editor confirms the level the form now proposes: saved, and no longer primary.
    confirmed = client.post(
        change_url(rec), {**edited, "verification": "partial", "verification_confirmed": "1"}
    )
    assert confirmed.status_code == 302
    rec.refresh_from_db()
    assert rec.statement.endswith("Edited.") and rec.verification == "partial"
    assert rec.shows_unverified_marker
    change = Events.objects.tracks(rec).filter(pgh_label="update").order_by("-pgh_id").first()
    assert change.pgh_diff["verification"] == ["primary", "partial"]
    assert change.pgh_context["user"] == editor.pk


def test_editing_notes_does_not_ask_for_the_level_again(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.filter(is_published=True, verification="primary").first()
    response = client.post(change_url(rec), recommendation_form(rec, notes="A local note."))
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.notes == "A local note." and rec.verification == "primary"


def test_an_editor_takes_the_packs_version_of_an_item_in_the_admin(client, editor):
    import pghistory

    rec = Recommendation.objects.get(slug="pc-counseling")
    original = rec.statement
    with pghistory.context(user=editor.pk, url="/admin/"):
        rec.statement = "Our local wording."
        rec.save()
    other = Recommendation.objects.get(slug="pc-smoking-cessation")
    with pghistory.context(user=editor.pk, url="/admin/"):
        other.notes = "Kept."
        other.save()
    client.force_login(editor)
    response = client.post(
        reverse("admin:guidelines_recommendation_changelist"),
        {"action": "take_pack_version", "_selected_action": [rec.pk]},
        follow=True,
    )
    assert "Took the pack&#x27;s version of 1 recommendation(s): pc-counseling" in (
        response.content.decode()
    )
    rec.refresh_from_db()
    other.refresh_from_db()
    assert rec.statement == original
    assert other.notes == "Kept."  # only the selected item
