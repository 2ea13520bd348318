"""The quality figures, from a hand-built set of meetings and decisions.

Every expected figure below was worked out by hand from the data this module builds
(the comments say how); days are counted between local dates, at noon, so that no
clock change can move a day.
"""

from __future__ import annotations

import csv
import datetime
import io
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from decisions.models import (
    RECORD_FORMAT,
    Action,
    Classification,
    Concordance,
    Decision,
    Modality,
    NotFollowedReason,
    TrialConsidered,
)
from documents.tasks import render_document
from guidelines.models import DiseaseArea
from meetings.models import AgendaItem, Attendance, Board, BoardMember, Meeting, Specialty
from quality import report
from quality.forms import ScopeForm
from quality.models import QualityReport
from tests.factories import make_case, make_patient
from tests.helpers import pdf_text
from tests.printed import assert_pdf_ua

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def noon(days_ago: int) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def day(days_ago: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days_ago)


def signed(item, signer, days_ago, outcome, rows=(), actions=(), completeness=None, amends=None,
           pathway="", plan=(), legacy=False, trials=()):  # fmt: skip
    """A signed record as the app stores it (rows and actions added while a draft), with
    its class as signing fixes it; ``legacy``: signed before classes existed (no record
    format, no class: the migration that introduced classes gives it one). A row is
    (slug, judgement or "pending", reason name)."""
    shown = {} if completeness is None else {"completeness": completeness}
    if not legacy:
        shown["record_format"] = RECORD_FORMAT
    decision = Decision.objects.create(
        agenda_item=item, outcome=outcome, shown=shown, amends=amends,
        amendment_reason="Corrected." if amends else "",
        previous_hash=amends.signature_hash if amends else "", pathway=pathway,
    )  # fmt: skip
    decision.modalities.set(Modality.objects.filter(code__in=plan))
    for position, (slug, judgement, reason) in enumerate(rows, start=1):
        Concordance.objects.create(
            decision=decision, position=position, recommendation=slug, statement=f"{slug} text",
            source="S", verification="", frozen_as="pending" if judgement == "pending" else "applies",
            judgement="" if judgement == "pending" else judgement,
            reason=NotFollowedReason.objects.get(name=reason) if reason else None,
            reason_text="Words." if judgement == "not_relevant" else "",
        )  # fmt: skip
    for what, due, done in actions:
        Action.objects.create(decision=decision, what=what, owner="Dr. Owner", due=due,
                              done_at=done)  # fmt: skip
    for position, (identifier, offered, reason) in enumerate(trials, start=1):
        TrialConsidered.objects.create(
            decision=decision, position=position, trial_identifier=identifier,
            title=f"{identifier} title", screening="possible candidate", offered=offered,
            reason=reason,
        )  # fmt: skip
    if not legacy:
        verdict = decision.verdict()
        Classification.objects.create(
            decision=decision, klass=verdict.klass, reason_groups=list(verdict.reason_groups)
        )
    Decision.objects.filter(pk=decision.pk).update(
        status="signed", signed_at=noon(days_ago), signed_by=signer,
        signature_hash=f"{decision.pk:064x}", signature_mac=f"{decision.pk:064x}",
    )  # fmt: skip
    decision.refresh_from_db()
    return decision


MRI, CTDNA, RAS = "dx-mri-before-resection", "mt-ctdna-resected", "mt-ras-all-mcrc-esmo2016"
ABLATION, SPARING = "tp-ablation-not-over-resection-crlm", "si-parenchymal-sparing-crlm"
GONE = "gone-recommendation"  # a board item since removed from the library


@pytest.fixture
def figures_world(db):
    signer = User.objects.create_user("chair", first_name="Cara", last_name="Chair")
    surgery, oncology, radiology = (
        Specialty.objects.get_or_create(name=n)[0] for n in ("Surgery", "Oncology", "Radiology")
    )
    board = Board.objects.create(name="Quality board", default_chair=signer)
    board.required_specialties.set([surgery, oncology])
    other_board = Board.objects.create(name="Other board")
    m1 = Meeting.objects.create(board=board, starts_at=noon(60))
    m2 = Meeting.objects.create(board=board, starts_at=noon(30))
    m3 = Meeting.objects.create(board=board, starts_at=noon(400))  # before the period
    m4 = Meeting.objects.create(board=board, starts_at=noon(-5))  # still to come
    elsewhere = Meeting.objects.create(board=other_board, starts_at=noon(20))
    for name in ("Surgery", "Oncology", "Radiology"):
        Attendance.objects.create(meeting=m1, name=f"Dr. {name}", specialty=name.lower())
    Attendance.objects.create(meeting=m2, name="Dr. Surgery", specialty="Surgery")
    other = DiseaseArea.objects.create(slug="other", name="Other area")
    a = make_case(patient=make_patient(mrn="Q-A"), referral_date=day(70))
    b = make_case(patient=make_patient(mrn="Q-B"), referral_date=day(45))
    c = make_case(patient=make_patient(mrn="Q-C"), referral_date=day(35))
    d = make_case(patient=make_patient(mrn="Q-D"), referral_date=day(410))
    e = make_case(patient=make_patient(mrn="Q-E"), referral_date=day(33), area=other)
    f = make_case(patient=make_patient(mrn="Q-F"), referral_date=day(25))
    g = make_case(patient=make_patient(mrn="Q-G"), referral_date=day(40))
    h = make_case(patient=make_patient(mrn="Q-H"), referral_date=day(65))
    old = make_case(patient=make_patient(mrn="Q-L"), referral_date=day(62))

    def listed(meeting, case, position):
        return AgendaItem.objects.create(meeting=meeting, case=case, position=position)

    a1, b2, c2, e2 = listed(m1, a, 1), listed(m2, b, 1), listed(m2, c, 2), listed(m2, e, 3)
    d3, c4, f9 = listed(m3, d, 1), listed(m4, c, 1), listed(elsewhere, f, 1)
    g2, h1, l1 = listed(m2, g, 4), listed(m1, h, 2), listed(m1, old, 3)
    # A: signed 58 days ago, amended 20 days ago; the amendment is in force: MRI followed,
    # ctDNA not (the patient's preference), parenchymal-sparing not relevant: discordant.
    first = signed(a1, signer, 58, "recommendation", pathway="yes",
                   rows=[(MRI, "not_followed", "Comorbidity or performance status")],
                   trials=[("NCT-A", "offered", "")],
                   completeness=[1, 10])  # fmt: skip
    signed(a1, signer, 20, "recommendation", amends=first, completeness=[6, 10], pathway="yes",
           rows=[(MRI, "followed", None), (CTDNA, "not_followed", "Patient preference"),
                 (SPARING, "not_relevant", None)], trials=[("NCT-A", "not_offered", "declined")],
           actions=[("Book MRI", day(50), noon(40)), ("Letter", day(30), noon(25))])  # fmt: skip
    # B: MRI followed, RAS already done, a removed item not followed for a trial.
    signed(b2, signer, 29, "recommendation", completeness=[3, 10], pathway="no",
           rows=[(MRI, "followed", None), (RAS, "already_done", None),
                 (GONE, "not_followed", "Clinical trial enrolment")],
           trials=[("NCT-B", "offered", ""), ("NCT-A", "not_offered", "not_eligible")],
           actions=[("Repeat CEA", day(5), None), ("Call the patient", day(20), noon(10))])  # fmt: skip
    signed(c2, signer, 30, "deferred")  # recorded before completeness was kept
    # G: MRI followed, ctDNA pending, the plan asks for imaging: conditionally concordant.
    signed(g2, signer, 28, "recommendation", completeness=[5, 10], pathway="not_applicable",
           rows=[(MRI, "followed", None), (CTDNA, "pending", None)],
           plan=["further_imaging"],
           trials=[("NCT-G", "not_offered", "no_place"), ("NCT-A", "not_offered", "not_eligible")])  # fmt: skip
    # H: ablation followed, parenchymal-sparing as the alternative chosen: concordant.
    signed(h1, signer, 59, "recommendation", completeness=[8, 10], pathway="yes",
           rows=[(ABLATION, "followed", None), (SPARING, "alternative_chosen", None)])  # fmt: skip
    # L: signed before classes: smoking cessation (a pathway item now) judged row by row, and
    # MRI "not followed: Already done" (now a judgement): concordant, smoking set aside.
    signed(l1, signer, 57, "recommendation", completeness=[4, 10], legacy=True,
           rows=[("pc-smoking-cessation", "not_followed", "Patient preference"),
                 (MRI, "not_followed", "Already done")])  # fmt: skip
    signed(d3, signer, 399, "recommendation", rows=[(MRI, "followed", None)],
           completeness=[10, 10], actions=[("Old", day(390), None)])  # fmt: skip
    signed(f9, signer, 19, "noted", completeness=[0, 10])
    # The migration that introduced classes classifies the record signed before them.
    import_module("decisions.migrations.0012_classify_existing_records").classify_signed(
        django_apps, None
    )
    del c4, e2
    return {"board": board, "other_board": other_board, "signer": signer, "other": other}


def scope(world, **overrides) -> report.Scope:
    values = {"boards": (world["board"],), "start": day(364), "end": TODAY}
    values.update(overrides)
    return report.Scope(**values)


def test_every_figure_matches_the_hand_count(figures_world, django_assert_num_queries):
    # Each record's class, worked out by hand from concordance.md (see the fixture).
    assert dict(
        Classification.objects.filter(decision__amendment__isnull=True).values_list(
            "decision__agenda_item__case__patient__mrn", "klass"
        )
    ) == {"Q-A": "discordant", "Q-B": "discordant", "Q-C": "not_assessed",
          "Q-G": "conditional", "Q-H": "concordant", "Q-L": "concordant",
          "Q-D": "concordant", "Q-F": "not_assessed"}  # fmt: skip
    legacy = Classification.objects.get(decision__agenda_item__case__patient__mrn="Q-L")
    assert legacy.by_migration and legacy.pathway_rows_set_aside == 1
    with django_assert_num_queries(10):
        figures = report.build(scope(figures_world))
    # Trials considered, of the records in force (A's amendment, not its first version):
    # A (declined), B (one offered, one not eligible), G (no place, not eligible) had a
    # possible candidate: 3 of the 6 decisions in force; a trial offered in B only.
    assert (figures.trial_candidates.part, figures.trial_candidates.whole) == (3, 6)
    assert (figures.trial_offered.part, figures.trial_offered.whole) == (1, 3)
    assert dict(figures.trial_not_offered) == {
        "Not eligible on review": 2,
        "Patient declined": 1,
        "No place in the trial": 1,
        "Other": 0,
    }
    # Held in the period: m1 and m2 (m3 is before it, m4 still to come).
    assert figures.meetings_held == 2
    # Listed: A, H, L at m1; B, C, E, G at m2. Decided: all but E (C deferred).
    assert figures.listed == 7 and figures.per_meeting == 3.5
    assert figures.outcomes == {"recommendation": 5, "deferred": 1}
    assert figures.undecided == 1
    # Classes of the records in force (A's amendment, not its first version): A and B
    # discordant, G conditional, H and L concordant, C not assessed. Assessed: 5; the
    # headline: 3 of 5. Discordant by group: A patient, B trial.
    assert figures.classes == {"concordant": 2, "conditional": 1, "discordant": 2,
                               "not_assessed": 1}  # fmt: skip
    assert (figures.headline.part, figures.headline.whole) == (3, 5)
    # By area: the five assessed are the liver's; the other area's case (E) is undecided.
    assert [(s.label, s.part, s.whole) for s in figures.by_area] == [("Liver metastases", 3, 5)]
    assert [(s.part, s.whole) for s in figures.discordant_by_group] == [(1, 5), (1, 5), (0, 5),
                                                                        (0, 5)]  # fmt: skip
    # Judged items of the five recommendations: A 3, B 3, G 1, H 2, L 1 (its smoking row
    # set aside): 10, one not relevant (A's parenchymal-sparing).
    assert (figures.not_relevant.part, figures.not_relevant.whole) == (1, 10)
    assert (figures.with_pending.part, figures.with_pending.whole, figures.pending_items) == (
        1, 5, 1,
    )  # fmt: skip
    # The pathway line: A yes, B no, H yes (G not applicable; L has none): 2 of 3.
    assert (figures.pathway.part, figures.pathway.whole) == (2, 3)
    assert figures.pathway_not_applicable == 1
    # Detail: followed (already done, alternative chosen included) of judged relevant.
    # MRI: A, B, G followed, L already done: 4 of 4; ctDNA: A not followed (G's pending);
    # RAS: B already done; the removed item: not followed; ablation and sparing: H.
    assert (figures.concordance.part, figures.concordance.whole) == (7, 9)
    assert [(s.label, s.part, s.whole) for s in figures.by_section] == [
        ("Diagnostic investigations", 5, 6),
        (report.REMOVED_SECTION, 0, 1),
        ("Surgical interventions", 1, 1),
        ("Therapeutic procedures", 1, 1),
    ]
    assert [(slug, s.part, s.whole) for slug, _, s in figures.by_recommendation] == [
        (GONE, 0, 1), (CTDNA, 0, 1), (MRI, 4, 4), (RAS, 1, 1), (SPARING, 1, 1), (ABLATION, 1, 1),
    ]  # fmt: skip
    assert figures.reasons == [
        ("Clinical trial enrolment", "clinical trial", 1),
        ("Patient preference", "patient (preference, comorbidity, contraindication)", 1),
    ]
    # Referral to first listed: A 70-60=10, B 45-30=15, C 35-30=5, E 33-30=3, G 40-30=10,
    # H 65-60=5, L 62-60=2. First listed to signed (first version): A 60-58=2, B 30-29=1,
    # G 30-28=2, H 60-59=1, L 60-57=3. Signed to all actions done: A, last done 25 days
    # ago: 58-25=33 (B has one open; the others have none).
    referral, listed_signed, signed_done = figures.intervals
    # (2, 3, 5, 5, 10, 10, 15), worked out by PostgreSQL; (1, 1, 2, 2, 3) and (33,) here.
    assert (referral.count, referral.median) == (7, 5)
    assert referral.p90 == 15  # the 7th of 7 (ceil(6.3))
    assert (listed_signed.count, listed_signed.median, listed_signed.p90) == (5, 2, 3)
    assert (signed_done.count, signed_done.median, signed_done.p90) == (1, 33, 33)
    # Quorum (surgery and oncology): m1 yes (spelled in lower case there), m2 no.
    assert (figures.quorate.part, figures.quorate.whole) == (1, 2)
    assert [(s.label, s.part, s.whole) for s in figures.attendance] == [
        ("Surgery", 2, 2),
        ("Oncology", 1, 2),
        ("radiology", 1, 2),
    ]
    # Completeness: A's amendment 6, B 3, G 5, H 8, L 4 of 10 each; C's record has none.
    assert (figures.completeness.part, figures.completeness.whole) == (26, 50)
    assert (figures.completeness_decisions, figures.completeness_missing) == (5, 1)
    # Open and past due: B's CEA (5 days); D's old action is outside the period.
    assert [(a.what, a.days_overdue) for a in figures.overdue] == [("Repeat CEA", 5)]


def test_filters_narrow_the_figures(figures_world):
    liver = DiseaseArea.objects.get(slug="liver")
    figures = report.build(scope(figures_world, area_id=liver.pk))
    assert figures.listed == 6 and figures.undecided == 0  # E is of the other area
    last_month = report.build(scope(figures_world, start=day(40)))
    assert last_month.meetings_held == 1 and last_month.listed == 4  # m2 only
    # At m2: B discordant, G conditional (C deferred): 1 of 2.
    assert (last_month.headline.part, last_month.headline.whole) == (1, 2)
    both = report.build(
        scope(figures_world, boards=(figures_world["board"], figures_world["other_board"]))
    )
    assert both.meetings_held == 3 and both.outcomes["noted"] == 1
    assert both.classes["not_assessed"] == 2  # C deferred, F noted


def test_the_query_count_does_not_grow_with_the_data(figures_world, django_assert_num_queries):
    board = figures_world["board"]
    meeting = Meeting.objects.create(board=board, starts_at=noon(10))
    for n in range(30):
        case = make_case(patient=make_patient(mrn=f"Q-MORE-{n}"), referral_date=day(15))
        item = AgendaItem.objects.create(meeting=meeting, case=case, position=n + 1)
        signed(item, figures_world["signer"], 9, "recommendation", completeness=[1, 2],
               rows=[(MRI, "followed", None), (CTDNA, "pending", None)], pathway="yes",
               actions=[("x", day(1), None)])  # fmt: skip
    with django_assert_num_queries(10):
        figures = report.build(scope(figures_world))
    assert figures.listed == 37 and len(figures.overdue) == 31
    assert figures.classes["concordant"] == 32 and figures.with_pending.part == 31


def test_the_cases_listed_are_counted_and_measured_in_postgresql_without_a_sort(figures_world):
    """The referral-to-listing interval of every case listed is aggregated by PostgreSQL
    (the report reads no row per case), and its plan sorts nothing by the agenda's default
    ordering (by meeting, then position): it is dropped from the subquery, where it cost a
    sort of every item listed, twice. (A sort to group by case is the planner's choice.)"""
    import json

    from django.db import connection

    items = AgendaItem.objects.filter(meeting__board=figures_world["board"])
    sql, params = report.listed_sql(items)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    kinds = [node["Node Type"] for node in nodes(plan[0]["Plan"])]
    sorted_by = [key for node in nodes(plan[0]["Plan"]) for key in node.get("Sort Key", [])]
    shown = json.dumps(plan, indent=1)  # the plan, shown when it fails
    assert not [key for key in sorted_by if "starts_at" in key or "position" in key], shown
    assert "Aggregate" in kinds
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        listed, cases, median, p90 = cursor.fetchone()
    assert (listed, cases) == (items.count(), items.values("case").distinct().count())


@pytest.fixture
def coordinator_client(client, figures_world):
    user = User.objects.create_user("coord")
    user.groups.add(Group.objects.get(name=roles.COORDINATOR))
    client.force_login(user)
    return client


def test_the_dashboard_shows_each_chart_with_its_numbers(coordinator_client, figures_world):
    page = coordinator_client.get(reverse("quality:dashboard")).content.decode()
    assert "Other board, Quality board · " in page  # every board the user may see
    # With the other board: its meeting has no quorum rule and its noted case knew 0 of 10.
    assert "3 of 5 (60 %) of assessed decisions" in page and "1 of 2 (50 %)" in page
    assert "patient 1, trial 1, guideline 0, judgement/other 0" in page
    assert "26 of 60 (43 %)" in page and "1 of 10 (10 %)" in page and "2 of 3 (67 %)" in page
    assert (
        page.count("<svg") == 10 and page.count('class="figure-table"') == 14
    )  # + overdue, readiness (and the areas compared: one row here)
    # Every figure links to its definition on the page.
    for anchor in ("def-class", "def-discordant", "def-beside", "def-items", "def-intervals",
                   "def-attendance", "def-completeness", "def-overdue"):  # fmt: skip
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page, anchor
    assert 'style="' not in page.split("<main", 1)[1]  # presentation attributes only
    assert "Repeat CEA" in page  # coordinators see cases, so the action's words too


def test_an_administrator_sees_figures_but_no_clinical_text(client, figures_world):
    user = User.objects.create_user("admin-role")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(user)
    page = client.get(reverse("quality:dashboard")).content.decode()
    assert "Repeat CEA" not in page and "Case " in page
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("quality:table_csv", args=["overdue-actions"])).content.decode("utf-8-sig")
    )))  # fmt: skip
    assert rows[0] == ["Case", "Meeting", "Owner", "Due", "Days overdue"]
    assert "Repeat CEA" not in str(rows)


def test_a_chair_sees_only_the_boards_they_chair(client, figures_world):
    chair = figures_world["signer"]
    chair.groups.add(Group.objects.get(name=roles.CLINICIAN))
    client.force_login(chair)
    response = client.get(reverse("quality:dashboard"))
    assert response.status_code == 200
    assert [b.name for b in response.context["form"].boards] == ["Quality board"]
    other = figures_world["other_board"]
    refused = client.get(reverse("quality:dashboard"), {"board": other.pk})
    assert refused.context["form"].errors["board"]  # not one of the choices
    member = User.objects.create_user("member")
    member.groups.add(Group.objects.get(name=roles.CLINICIAN))
    BoardMember.objects.create(board=other, user=member, specialty=Specialty.objects.first())
    client.force_login(member)  # a member who does not sign sees nothing
    assert client.get(reverse("quality:dashboard")).status_code == 404


def test_bad_filters_get_a_message_next_to_the_field(coordinator_client):
    response = coordinator_client.get(
        reverse("quality:dashboard"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()
    assert "report" not in response.context
    bad = coordinator_client.get(reverse("quality:table_csv", args=["activity"]), {"start": "x"})
    assert bad.status_code == 400


def test_the_default_period_is_the_last_twelve_months():
    form = ScopeForm(None, boards=[])
    s = form.scope()
    assert s.end == TODAY and s.start == TODAY.replace(year=TODAY.year - 1) + datetime.timedelta(1)


def test_each_table_downloads_as_csv(coordinator_client, figures_world):
    response = coordinator_client.get(
        reverse("quality:table_csv", args=["intervals"]), {"board": figures_world["board"].pk}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Interval", "Count", "Median (days)", "90th percentile (days)"],
        ["Referral to first listed", "7", "5", "15"],
        ["First listed to decision signed", "5", "2", "3"],
        ["Decision signed to actions done", "1", "33", "33"],
    ]
    missing = coordinator_client.get(reverse("quality:table_csv", args=["nothing"]))
    assert missing.status_code == 404


@pytest.mark.slow
def test_the_annual_report_is_made_in_the_background_with_the_same_figures(
    coordinator_client, figures_world
):
    board = figures_world["board"]
    data = {"board": board.pk, "start": day(364).isoformat(), "end": TODAY.isoformat()}
    coordinator_client.post(reverse("quality:report_generate"), data)
    coordinator_client.post(reverse("quality:report_generate"), data)  # a second click
    document = QualityReport.objects.get()  # one queued, not two
    render_document.call("annual_report", document.pk)
    document.refresh_from_db()
    assert document.status == "done", document.error
    text = "\n".join(pdf_text(bytes(document.content)))
    assert_pdf_ua(bytes(document.content))  # tagged PDF/UA-1
    assert "ANNUAL MDT REPORT" in text and "Quality board" in text
    assert "Figures only: no patient data" in text and "contains patient data" not in text
    assert "3 of 5 (60 %) of assessed decisions" in text and "Referral to first listed" in text
    assert "How each figure is counted" in text and "conditionally concordant" in text
    assert "Repeat CEA" not in text and "Q-A" not in text  # figures only, no patient
    download = coordinator_client.get(reverse("quality:report_download", args=[document.pk]))
    assert download["Content-Type"] == "application/pdf"
    chair = figures_world["signer"]
    chair.groups.add(Group.objects.get(name=roles.CLINICIAN))
    other = QualityReport.objects.create(
        boards=[figures_world["other_board"].pk], start=day(10), end=TODAY, status="done",
        content=b"%PDF-1.7", page_count=1,
    )  # fmt: skip
    coordinator_client.force_login(chair)  # a chair of one board: not another board's report
    assert (
        coordinator_client.get(reverse("quality:report_download", args=[other.pk])).status_code
        == 404
    )
    assert (
        coordinator_client.get(reverse("quality:report_download", args=[document.pk])).status_code
        == 200
    )
