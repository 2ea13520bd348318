"""The shipped content pack and the load_content / export_content commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from pghistory.models import Events

from decisions.models import Modality
from guidelines import conditions, content_pack, snapshot
from guidelines.models import (
    Caution,
    Fact,
    GuidelineSource,
    Recommendation,
    Section,
    Subsection,
)

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def pack_data() -> dict:
    return yaml.safe_load(content_pack.DEFAULT_PACK.read_text(encoding="utf-8"))


def write_pack(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(content_pack.dump(data), encoding="utf-8")
    return path


def library_state() -> dict:
    """Everything a pack holds, as plain data, for comparing two databases."""
    data = content_pack.export_pack(area="liver", name="x", title="x", version="x")
    return {key: data[key] for key in ("area", "facts", "sources", "sections", "recommendations")}


def empty_library() -> None:
    Recommendation.objects.all().delete()
    Subsection.objects.all().delete()
    Section.objects.all().delete()
    GuidelineSource.objects.all().delete()
    Fact.objects.all().delete()


def test_the_pack_loads_54_published_recommendations_and_6_drafts():
    assert Recommendation.objects.count() == 60
    assert Recommendation.objects.published().count() == 54
    drafts = Recommendation.objects.filter(is_published=False)
    assert drafts.count() == 6
    assert set(drafts.values_list("verification_status", flat=True)) == {"unverified"}


def test_check_items_carry_the_unverified_marker_and_yes_items_do_not():
    published = Recommendation.objects.published()
    # Revision 2: every published item whose level is not "primary" carries the marker.
    assert published.exclude(verification="primary").count() == 38
    assert published.filter(verification="primary").count() == 16
    assert sum(rec.shows_unverified_marker for rec in published) == 38
    smoking = Recommendation.objects.get(slug="pc-smoking-cessation")
    alcohol = Recommendation.objects.get(slug="pc-alcohol-cessation")
    assert not smoking.shows_unverified_marker
    assert alcohol.shows_unverified_marker


def test_the_catalogue_holds_every_fact_of_the_fact_sheet():
    catalogue = snapshot.catalogue()
    # revision 2 added three; the liver domain facts 27; the course three (RECIST 1.1, §7)
    assert len(catalogue) == 67
    assert {"latest_response", "best_response", "months_since_liver_imaging"} <= set(catalogue)
    over_time = {name for name, spec in catalogue.items() if spec.over_time}
    assert over_time == {"cea_ng_ml", "albumin_g_l", "inr", "serum_bilirubin_umol_l"}
    assert {"biliary_obstruction", "primary_status", "combined_primary_resection"} <= set(catalogue)
    assert {"albumin_g_l", "inr", "primary_diagnosis_date", "fong_score"} <= set(catalogue)
    assert catalogue["primary_diagnosis_date"].kind == "date"
    computed = {name for name, spec in catalogue.items() if spec.section == "scores"}
    assert len(computed) == 11 and "tumour_burden_zone" in computed
    assert catalogue["planned_procedure"].not_known_values == {"undecided"}
    assert catalogue["primary_site"].not_known_values == {"unknown"}
    assert catalogue["ras_status"].not_known_values == set()  # "not tested" is known
    assert catalogue["serum_bilirubin_umol_l"].unit == "µmol/L"
    assert catalogue["age_years"].kind == "integer"
    assert (catalogue["age_years"].minimum, catalogue["age_years"].maximum) == (0, 120)
    assert catalogue["mmr_msi_status"].values == {"not_tested", "dMMR_MSI_H", "pMMR_MSS"}
    assert all(spec.label and spec.section for spec in catalogue.values())


def test_every_published_condition_parses_and_validates_against_the_catalogue():
    catalogue = snapshot.catalogue()
    for rec in Recommendation.objects.published():
        assert conditions.validate(rec.condition, catalogue) == [], rec.slug
        assert conditions.parse(rec.condition) is not None, rec.slug


def test_sections_follow_the_digest_order():
    assert list(Section.objects.values_list("name", flat=True)) == [
        "Diagnostic investigations",
        "Medical management",
        "Therapeutic procedures",
        "Perioperative care",
        "Surgical interventions",
        "Specific circumstances",
    ]


def test_a_second_load_changes_nothing_and_says_so():
    events_before = Events.objects.count()
    output = run("load_content", str(content_pack.DEFAULT_PACK))
    assert output.startswith("No changes: the database already matches liver-metastases.yaml")
    assert Events.objects.count() == events_before


def test_a_changed_file_updates_only_the_changed_items_and_reports_them(tmp_path):
    data = pack_data()
    rec = next(r for r in data["recommendations"] if r["id"] == "pc-counseling")
    rec["statement"] = "Counsel the patient before liver surgery (edited)."
    fact = next(f for f in data["facts"] if f["name"] == "alcohol_g_per_day")
    fact["help_text"] = "Grams of alcohol per day."
    output = run("load_content", str(write_pack(tmp_path, data)))
    assert "update recommendation pc-counseling: statement" in output
    assert "update fact alcohol_g_per_day: help_text" in output
    assert "0 created, 2 updated" in output
    assert Recommendation.objects.get(slug="pc-counseling").statement.endswith("(edited).")


def test_dry_run_reports_and_changes_nothing(tmp_path):
    data = pack_data()
    data["recommendations"][0]["statement"] = "Changed."
    data["recommendations"].append({**data["recommendations"][0], "id": "new-item"})
    output = run("load_content", str(write_pack(tmp_path, data)), "--dry-run")
    assert "would update recommendation" in output
    assert "would create recommendation new-item" in output
    assert not Recommendation.objects.filter(slug="new-item").exists()
    assert Recommendation.objects.filter(statement="Changed.").count() == 0


@pytest.mark.slow
def test_export_then_load_into_an_empty_database_gives_the_same_content(tmp_path):
    before = library_state()
    path = tmp_path / "export.yaml"
    run("export_content", "--output", str(path))
    empty_library()
    assert Recommendation.objects.count() == 0
    run("load_content", str(path))
    assert library_state() == before


def test_export_of_the_shipped_content_reproduces_the_pack_file():
    exported = content_pack.dump(
        content_pack.export_pack(
            area="liver", name="liver-metastases", title="Liver metastases", version="2026.12.5"
        )
    )
    shipped = "".join(
        line
        for line in content_pack.DEFAULT_PACK.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("#")
    )
    assert exported == shipped


@pytest.mark.slow
def test_if_empty_loads_an_empty_library_and_leaves_a_loaded_one_alone(tmp_path):
    data = pack_data()
    data["recommendations"][0]["statement"] = "Changed."
    path = write_pack(tmp_path, data)
    output = run("load_content", str(path), "--if-empty")
    assert "differs in 1 item(s)" in output
    assert not Recommendation.objects.filter(statement="Changed.").exists()
    empty_library()
    run("load_content", str(path), "--if-empty")
    assert Recommendation.objects.filter(statement="Changed.").count() == 1


def test_loading_records_the_command_in_the_audit_history(tmp_path):
    data = pack_data()
    data["recommendations"][0]["notes"] = "Noted."
    run("load_content", str(write_pack(tmp_path, data)))
    rec = Recommendation.objects.get(slug=data["recommendations"][0]["id"])
    event = Events.objects.tracks(rec).filter(pgh_label="update").latest("pgh_created_at")
    assert event.pgh_context["command"] == "load_content"
    assert event.pgh_diff["notes"][1] == "Noted."


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["recommendations"][1].update(condition="smoker = true"),
            "condition: column 1: unknown fact 'smoker'; did you mean 'smoker_current'?",
        ),
        (
            lambda d: d["recommendations"][1].update(condition="sex = femal"),
            "femal is not an allowed value of sex",
        ),
        (
            lambda d: d["recommendations"][1].update(status="unverified"),
            "An unverified placeholder cannot be published",
        ),
        (
            lambda d: d["recommendations"][1].update(source="S99"),
            "source 'S99' is not among the pack's sources",
        ),
        (
            lambda d: d["recommendations"][1].update(subsection="Nowhere"),
            "has no subsection 'Nowhere'",
        ),
        (lambda d: d["recommendations"][1].update(colour="blue"), "unknown key(s) colour"),
        (lambda d: d["recommendations"].append(dict(d["recommendations"][0])), "appears twice"),
        (lambda d: d["facts"][0].update(kind="colour"), "fact sex: kind:"),
        (lambda d: d["recommendations"][1].update(verified_on="yesterday"), "is not a date"),
    ],
)
def test_a_bad_pack_is_refused_with_a_precise_message_and_nothing_is_saved(
    tmp_path, mutate, message
):
    data = pack_data()
    data["recommendations"][0]["statement"] = "This change must not survive."
    mutate(data)
    with pytest.raises(CommandError) as info:
        run("load_content", str(write_pack(tmp_path, data)))
    assert message in str(info.value)
    assert not Recommendation.objects.filter(statement="This change must not survive.").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: something-else\n", "is not a content pack"),
        ("facts: [\n", "is not valid YAML at line 2"),
        (f"format: {content_pack.FORMAT}\nfacts: 3\n", "'facts' must be a list of mappings"),
    ],
)
def test_a_file_that_is_not_a_pack_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("load_content", str(path))


def test_a_missing_file_is_refused():
    with pytest.raises(CommandError, match="cannot read"):
        run("load_content", "/nonexistent/pack.yaml")


def _edit_in_the_admin(editor, slug: str, **changes) -> None:
    """Change a recommendation as an editor does: through the admin, with its audit context."""
    import pghistory

    rec = Recommendation.objects.get(slug=slug)
    with pghistory.context(user=editor.pk, url="/admin/"):
        for name, value in changes.items():
            setattr(rec, name, value)
        rec.save()


def test_load_content_never_overwrites_an_editors_change_unless_taken(tmp_path, editor):
    _edit_in_the_admin(editor, "pc-counseling", statement="Our local wording.")
    data = pack_data()
    rec = next(r for r in data["recommendations"] if r["id"] == "pc-counseling")
    rec["statement"] = "The pack's new wording."
    other = next(r for r in data["recommendations"] if r["id"] == "pc-smoking-cessation")
    other["notes"] = "A new note from the pack."
    path = str(write_pack(tmp_path, data))

    output = run("load_content", path)
    assert "left alone recommendation pc-counseling (statement): changed by editor on" in output
    assert "`--take pc-counseling` to overwrite it" in output
    assert "update recommendation pc-smoking-cessation: notes" in output  # others still load
    assert Recommendation.objects.get(slug="pc-counseling").statement == "Our local wording."

    output = run("load_content", path, "--take", "pc-counseling")
    assert "update recommendation pc-counseling: statement" in output
    assert Recommendation.objects.get(slug="pc-counseling").statement == "The pack's new wording."
    assert run("load_content", path).startswith("No changes")  # loaded again: the pack's now


def test_load_content_never_publishes_what_an_editor_unpublished(tmp_path, editor):
    _edit_in_the_admin(editor, "pc-counseling", is_published=False)
    output = run("load_content", str(content_pack.DEFAULT_PACK))
    assert "left alone recommendation pc-counseling (statement)" not in output
    assert "left alone recommendation pc-counseling" in output
    assert not Recommendation.objects.get(slug="pc-counseling").is_published
    run("load_content", "--take", "pc-counseling")
    assert Recommendation.objects.get(slug="pc-counseling").is_published


def test_an_unpublished_item_the_pack_changes_is_updated_but_stays_unpublished(tmp_path):
    import pghistory

    with pghistory.context(command="load_content"):
        Recommendation.objects.filter(slug="pc-counseling").update(is_published=False)
    data = pack_data()
    rec = next(r for r in data["recommendations"] if r["id"] == "pc-counseling")
    rec["notes"] = "Changed note."
    output = run("load_content", str(write_pack(tmp_path, data)))
    assert "unpublished here; the pack would publish it" in output
    saved = Recommendation.objects.get(slug="pc-counseling")
    assert saved.notes == "Changed note." and not saved.is_published


def test_take_names_an_item_of_the_pack():
    with pytest.raises(CommandError, match="--take no-such-item: not in liver-metastases.yaml"):
        run("load_content", "--take", "no-such-item")


REVISION_1 = Path(__file__).parent / "data" / "liver-metastases-rev1.yaml"


@pytest.mark.slow
def test_a_library_at_revision_1_moves_to_revision_2_keeping_an_editors_work(editor):
    empty_library()
    Fact.objects.all().delete()
    run("load_content", str(REVISION_1))
    assert Recommendation.objects.count() == 60 and Fact.objects.count() == 34
    # revision 1 knew no levels: they follow from its status and marker
    assert Recommendation.objects.get(slug="pc-alcohol-cessation").verification == "partial"
    assert Recommendation.objects.get(slug="pc-smoking-cessation").verification == "primary"
    _edit_in_the_admin(editor, "pc-biliary-drainage-cholestasis", notes="Our own note.")

    dry = run("load_content", "--dry-run")
    assert "would update recommendation mm-asco-antiegfr-left-ras-wt: condition, notes" in dry
    assert "and liver_resection_done = false" in dry  # the new condition, in full
    assert "would create fact biliary_obstruction" in dry
    assert "left alone recommendation pc-biliary-drainage-cholestasis" in dry
    output = run("load_content", str(content_pack.DEFAULT_PACK))
    assert "left alone recommendation pc-biliary-drainage-cholestasis" in output
    assert "statement here: Drain the bile ducts" in output  # the local text beside the pack's
    assert "statement in the pack: " in output
    edited = Recommendation.objects.get(slug="pc-biliary-drainage-cholestasis")
    assert edited.notes == "Our own note." and "biliary_obstruction" not in edited.condition
    # every other item is at revision 2
    pack = {r["id"]: r for r in pack_data()["recommendations"]}
    for rec in Recommendation.objects.exclude(slug="pc-biliary-drainage-cholestasis"):
        assert rec.condition == pack[rec.slug].get("condition", ""), rec.slug
        assert rec.verification == pack[rec.slug].get("verification", "none"), rec.slug
    assert Fact.objects.count() == 67
    again = run("load_content", str(content_pack.DEFAULT_PACK))
    assert "update " not in again and "create " not in again  # nothing changes a second time


REVISION_2 = Path(__file__).parent / "data" / "liver-metastases-rev2.yaml"


@pytest.mark.slow
def test_a_library_at_revision_2_moves_to_revision_3_keeping_an_editors_work(editor):
    empty_library()
    run("load_content", str(REVISION_2))
    assert not Caution.objects.exists()
    assert set(Recommendation.objects.values_list("decision_scope", flat=True)) == {"board"}
    _edit_in_the_admin(editor, "mm-asco-encorafenib-braf", notes="Our own note.")

    output = run("load_content", str(content_pack.DEFAULT_PACK))
    assert "left alone recommendation mm-asco-encorafenib-braf" in output
    edited = Recommendation.objects.get(slug="mm-asco-encorafenib-braf")
    assert edited.notes == "Our own note." and "resectability" not in edited.condition
    pack = {r["id"]: r for r in pack_data()["recommendations"]}
    for rec in Recommendation.objects.exclude(slug="mm-asco-encorafenib-braf"):
        item = pack[rec.slug]
        assert rec.condition == item.get("condition", ""), rec.slug
        assert rec.decision_scope == item.get("decision_scope", "board"), rec.slug
        assert rec.plan_modalities == item.get("plan_modalities", []), rec.slug
        assert rec.contradicted_by == item.get("contradicted_by", []), rec.slug
        cautions = [(c.condition, c.text) for c in rec.cautions.all()]
        assert cautions == [(c["when"], c["text"]) for c in item.get("cautions", [])], rec.slug
    published = Recommendation.objects.published()
    assert published.filter(decision_scope="board").count() == 34
    assert published.filter(decision_scope="pathway").count() == 20
    ablation = Recommendation.objects.get(slug="tp-ablation-not-over-resection-crlm")
    assert ablation.condition.endswith("and liver_resection_done = false")
    again = run("load_content", str(content_pack.DEFAULT_PACK))
    assert "update " not in again and "create " not in again


def test_every_modality_the_pack_names_is_on_the_plans_list():
    named = {
        code
        for item in pack_data()["recommendations"]
        for code in item.get("plan_modalities", []) + item.get("contradicted_by", [])
    }
    assert named == {"further_imaging", "molecular_testing", "adjuvant_systemic_therapy",
                     "systemic_therapy_first_line", "systemic_therapy_later_line",
                     "hepatic_resection_minor", "hepatic_resection_major", "biliary_drainage",
                     "surveillance", "ablation"}  # fmt: skip
    assert named <= set(Modality.objects.values_list("code", flat=True))


def test_a_modality_not_on_the_list_or_a_bad_caution_is_refused_and_nothing_loads(tmp_path):
    data = pack_data()
    rec = next(r for r in data["recommendations"] if r["id"] == "pc-counseling")
    rec["plan_modalities"] = ["teleportation"]
    with pytest.raises(
        CommandError,
        match="pc-counseling: plan_modalities: Not on the plan's modality list: teleportation",
    ):
        run("load_content", str(write_pack(tmp_path, data)))
    data = pack_data()
    rec = next(r for r in data["recommendations"] if r["id"] == "dx-mri-before-resection")
    rec["cautions"] = [{"when": "pregnant = maybe", "text": "x"}]
    with pytest.raises(CommandError, match="dx-mri-before-resection: caution 1: condition:"):
        run("load_content", str(write_pack(tmp_path, data)))
    rec["cautions"] = [{"when": "pregnant = true"}]
    with pytest.raises(CommandError, match="cautions must be a list of"):
        run("load_content", str(write_pack(tmp_path, data)))
    assert Recommendation.objects.get(slug="pc-counseling").plan_modalities == []
    assert Caution.objects.filter(condition="pregnant = true").count() == 2


def test_an_editors_caution_is_kept_and_listed_by_a_later_load(editor, tmp_path):
    import pghistory

    rec = Recommendation.objects.get(slug="dx-mri-disappearing-metastases")
    with pghistory.context(user=editor.pk, url="/admin/"):
        Caution.objects.create(recommendation=rec, position=2, condition="renal_insufficiency = true",
                               text="Our own caution.")  # fmt: skip
    output = run("load_content", str(content_pack.DEFAULT_PACK))
    assert "left alone recommendation dx-mri-disappearing-metastases (cautions)" in output
    assert rec.cautions.count() == 2
