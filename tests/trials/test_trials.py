"""The trial list: importing records (again), rules per criterion, screening worked by hand,
and what the case page, the printed section and the decision record show of it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import roles
from guidelines.models import DiseaseArea
from tests.factories import liver, make_case, make_patient
from tests.trials.records import ELIGIBILITY, saved
from trials import registry, screening, services
from trials.models import Criterion, Trial

pytestmark = pytest.mark.django_db


def imported(**changes):
    return services.import_record(registry.read(saved(**changes)), liver())


def test_an_import_adds_the_trial_with_its_criteria_and_sex_and_age_rules():
    report = imported(**{"eligibilityModule.sex": "MALE"})
    trial = Trial.objects.get()
    assert report.created and trial.identifier == "NCT09999991" and trial.area == liver()
    assert trial.principal_investigator == "Dr. Principal"
    rules = dict(trial.criteria.values_list("text", "rule"))
    assert rules["Sex: male (the registry record)"] == "sex = male"
    assert rules["Age: 18 Years or older (the registry record)"] == "age_years >= 18"
    assert report.by_hand == 7 and trial.criteria.count() == 10
    assert report.lines()[0] == f"Added NCT09999991: {trial.title}"


def test_a_newer_record_says_what_changed_and_keeps_the_rules_of_unchanged_criteria():
    imported()
    trial = Trial.objects.get()
    ecog = trial.criteria.get(text="ECOG performance status 0–1")
    ecog.rule = "ecog <= 1"
    ecog.full_clean()
    ecog.save()
    local = Criterion.objects.create(trial=trial, kind="exclusion", text="Enrolled in another trial",
                                     rule="", position=99)  # fmt: skip
    trial.principal_investigator = "Dr. Local"
    trial.save()
    newer = ELIGIBILITY.replace("* Extrahepatic disease\n", "* Extrahepatic disease, except lung\n")
    report = imported(**{"statusModule.overallStatus": "ACTIVE_NOT_RECRUITING",
                         "eligibilityModule.eligibilityCriteria": newer})  # fmt: skip
    trial.refresh_from_db()
    assert not report.created and trial.status == "ACTIVE_NOT_RECRUITING"
    assert "Changed status: Recruiting → Active, not recruiting" in report.lines()
    assert report.added == ["Extrahepatic disease, except lung"]
    assert report.removed == [("Extrahepatic disease", "")]
    assert report.kept == 8
    assert trial.criteria.get(pk=ecog.pk).rule == "ecog <= 1"  # the same row, its rule kept
    assert trial.criteria.filter(pk=local.pk).exists()  # added here: the record does not own it
    assert trial.principal_investigator == "Dr. Local"  # the hospital's own is kept


def test_a_trial_of_another_area_is_not_taken_over_and_nothing_is_half_saved():
    imported()
    other = DiseaseArea.objects.create(slug="hcc-test", name="Another area")
    with pytest.raises(registry.NotARecord, match="another disease area"):
        services.import_record(
            registry.read(saved(**{"statusModule.overallStatus": "COMPLETED"})), other
        )
    assert Trial.objects.get().status == "RECRUITING"


def test_a_rule_is_checked_against_the_areas_facts_like_a_condition():
    imported()
    criterion = Trial.objects.get().criteria.first()
    for rule, words in [("ecog <= ", "expected a value"), ("no_such_fact = 1", "no_such_fact"),
                        ("sex = robot", "robot")]:  # fmt: skip
        criterion.rule = rule
        with pytest.raises(Exception) as raised:
            criterion.full_clean()
        assert words in str(raised.value)


def test_the_command_imports_every_file_or_none_and_names_a_bad_one(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(saved())
    bad.write_bytes(b"{}")
    with pytest.raises(CommandError, match="bad.json: No protocolSection"):
        call_command("import_trials", str(good), str(bad), stdout=io.StringIO())
    assert not Trial.objects.exists()
    with pytest.raises(CommandError, match="No disease area 'nope'"):
        call_command("import_trials", str(good), "--area", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="missing.json"):
        call_command("import_trials", str(tmp_path / "missing.json"), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_trials", str(good), stdout=out)
    assert out.getvalue().startswith("Added NCT09999991") and Trial.objects.count() == 1


@pytest.fixture
def coordinator_client(client):
    user = User.objects.create_user("tara", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.TRIAL_COORDINATOR))
    client.force_login(user)
    return client


def test_a_trial_coordinator_imports_a_saved_record_in_the_admin(coordinator_client):
    url = reverse("admin:trials_trial_import")
    page = coordinator_client.post(
        url, {"area": liver().pk, "record": SimpleUploadedFile("r.json", saved())}
    )
    assert page.status_code == 200
    assert "Added NCT09999991" in page.content.decode() and Trial.objects.count() == 1
    # A file that is not a record: the reason beside the field, nothing saved.
    page = coordinator_client.post(
        url, {"area": liver().pk, "record": SimpleUploadedFile("r.json", b"[]")}
    )
    assert "No protocolSection" in page.content.decode() and Trial.objects.count() == 1
    changelist = coordinator_client.get(reverse("admin:trials_trial_changelist")).content.decode()
    assert "Import from a saved ClinicalTrials.gov record" in changelist


def make_trial(identifier="NCT1", status="RECRUITING", criteria=()):
    trial = Trial.objects.create(area=liver(), identifier=identifier, title=f"{identifier} study",
                                 status=status)  # fmt: skip
    for position, (kind, text, rule) in enumerate(criteria, start=1):
        Criterion.objects.create(trial=trial, kind=kind, text=text, rule=rule, position=position)
    return trial


# Worked by hand: the case is a 64-year-old man with colorectal liver metastases, ECOG 1,
# RAS status not known.
FACTS = {"primary_site": "colorectal", "liver_metastases": "confirmed", "ecog": 1}


def screened_for(case):
    from cases.overview import overview

    return screening.for_case(overview(case))


def test_each_criterion_is_met_not_met_not_known_or_by_hand_as_worked_by_hand():
    make_trial("NCT1", criteria=[
        ("inclusion", "Colorectal liver metastases", "primary_site = colorectal and liver_metastases = confirmed"),
        ("inclusion", "ECOG 0-1", "ecog <= 1"),
        ("inclusion", "RAS wild type", "ras_status = wild_type"),
        ("exclusion", "Pregnant", "pregnant = true"),  # a man: pregnancy follows as false
        ("exclusion", "BRAF mutant", "braf_v600e_status = mutant"),
        ("inclusion", "Adequate organ function", ""),
    ])  # fmt: skip
    make_trial("NCT2", criteria=[("inclusion", "ECOG 0", "ecog = 0"),
                                 ("exclusion", "Colorectal", "primary_site = colorectal")])  # fmt: skip
    make_trial("NCT3", status="COMPLETED", criteria=[("inclusion", "Anyone", "")])
    make_trial("NCT4", status="NOT_YET_RECRUITING")
    case = make_case(patient=make_patient(mrn="T-1", sex="male"), facts=FACTS)
    found = screened_for(case)
    [first, later] = found.candidates  # NCT3 completed: not screened; NCT4 not yet: screened
    assert (first.trial.identifier, later.trial.identifier) == ("NCT1", "NCT4")
    assert [(o.criterion.text, o.outcome, o.missing) for o in first.outcomes] == [
        ("Colorectal liver metastases", "met", ()),
        ("ECOG 0-1", "met", ()),
        ("RAS wild type", "not_known", ("RAS status",)),
        ("Pregnant", "met", ()),
        ("BRAF mutant", "not_known", ("BRAF V600E status",)),
        ("Adequate organ function", "by_hand", ()),
    ]
    assert (
        first.verdict == "possible candidate"
        and first.summary == "3 met, 2 not known, 1 check by hand"
    )
    [out] = found.ruled_out
    assert out.trial.identifier == "NCT2" and out.verdict == "not a candidate"
    assert [(o.criterion.text, o.outcome) for o in out.failing] == [
        ("ECOG 0", "not_met"),
        ("Colorectal", "not_met"),
    ]


def test_the_list_is_read_again_when_a_criterion_changes():
    trial = make_trial("NCT1", criteria=[("inclusion", "ECOG 0", "ecog = 0")])
    case = make_case(patient=make_patient(mrn="T-2"), facts=FACTS)
    assert screened_for(case).ruled_out
    criterion = trial.criteria.get()
    criterion.rule = "ecog <= 1"
    criterion.save()
    assert screened_for(case).candidates[0].outcomes[0].outcome == "met"


def test_the_case_page_shows_candidates_criterion_by_criterion_and_quotes_what_rules_out(
    client, clinician
):
    make_trial("NCT1", criteria=[("inclusion", "RAS wild type", "ras_status = wild_type"),
                                 ("inclusion", "Signed consent", "")])  # fmt: skip
    make_trial("NCT2", criteria=[("exclusion", "Colorectal primary", "primary_site = colorectal")])
    case = make_case(patient=make_patient(mrn="T-3"), facts=FACTS)
    client.force_login(clinician)
    page = " ".join(client.get(case.get_absolute_url()).content.decode().split())
    assert "Possible candidate</strong> · 1 not known, 1 check by hand" in page
    assert "Not known: needs RAS status" in page and "Check by hand" in page
    assert "eligibility is decided by the trial team" in page
    assert (
        "<strong>NCT2</strong>: not a candidate — exclusion criterion “Colorectal primary” not met"
        in page
    )
    assert "eligible" not in page.replace("eligibility", "").replace("Not eligible", "")


def test_meeting_mode_and_the_printed_case_show_the_screening(client, clinician):
    """On paper as on the page: the candidate with each criterion's outcome (the PDF's text,
    read back by pypdf), and the trial that rules the patient out, quoted."""
    from cases.summary import render_case_summary
    from tests.factories import make_meeting
    from tests.helpers import pdf_text

    make_trial("NCT1", criteria=[("inclusion", "RAS wild type", "ras_status = wild_type"),
                                 ("inclusion", "ECOG 0-1", "ecog <= 1")])  # fmt: skip
    make_trial("NCT2", criteria=[("exclusion", "Colorectal primary", "primary_site = colorectal")])
    case = make_case(patient=make_patient(mrn="T-4"), facts=FACTS)
    item = make_meeting([case]).agenda_items.get()
    client.force_login(clinician)
    mode = client.get(reverse("decisions:meeting_mode", args=[item.meeting_id, item.pk]))
    words = " ".join(mode.content.decode().split())
    assert "Possible candidate</strong> · 1 met, 1 not known" in words
    assert "exclusion criterion “Colorectal primary” not met" in words
    printed = " ".join(" ".join(pdf_text(render_case_summary(case).pdf)).split())
    assert "Clinical trials at this hospital" in printed
    assert "Possible candidate · 1 met, 1 not known" in printed
    assert "Not known: needs RAS status" in printed and "Met" in printed
    assert "NCT2: not a candidate — exclusion criterion “Colorectal primary” not met" in printed
