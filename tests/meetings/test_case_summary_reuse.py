"""Case summaries: served again while nothing changed, rate-limited, logged and audited."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from accounts.models import ReadLogEntry
from meetings.models import Handout
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db


def summary(client, case):
    return client.get(reverse("meetings:case_summary_pdf", args=[case.pk]))


def test_the_same_summary_is_served_again_until_the_case_changes(clinician_client, settings):
    settings.CASE_SUMMARY_RENDERS_PER_MINUTE = 1
    case = make_case()
    first = summary(clinician_client, case)
    again = summary(clinician_client, case)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert Handout.objects.count() == 1  # four reloads are not four renders
    assert "no-store" in again["Cache-Control"]

    # The patient's record changed: the stored one is out of date, and a new render
    # is the user's second in a minute, over the limit.
    case.patient.name = "Ada Changed"
    case.patient.version += 1
    case.patient.save()
    limited = summary(clinician_client, case)
    assert limited.status_code == 429
    assert "Too many new case summaries in a minute" in limited.content.decode()
    assert Handout.objects.count() == 1

    settings.CASE_SUMMARY_RENDERS_PER_MINUTE = 6
    fresh = summary(clinician_client, case)
    assert fresh.status_code == 200 and fresh.content != first.content
    assert Handout.objects.count() == 2

    # Every read is logged, reused or not, and each print is in the audit trail.
    reads = ReadLogEntry.objects.filter(case_id=case.pk, kind="case_summary")
    assert reads.count() == 3
    assert set(reads.values_list("username", flat=True)) == {"board_member"}
    printed = Events.objects.filter(pgh_model="meetings.HandoutEvent", pgh_label="insert")
    assert printed.count() == 2
    assert all(event.pgh_context["user"] for event in printed)
    assert "pdf" not in printed.first().pgh_data


def test_pages_and_data_about_patients_are_never_cached(clinician_client):
    case = make_case()
    for url in (
        case.get_absolute_url(),
        reverse("cases:case_matches_json", args=[case.pk]),
        reverse("cases:case_list"),
        reverse("cases:case_edit", args=[case.pk]),
    ):
        response = clinician_client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


def test_reading_a_case_page_or_a_pack_is_logged_per_patient(coordinator_client, coordinator):
    cases = [make_case(), make_case(patient=make_patient(mrn="MRN-0002", name="Bo Other"))]
    meeting = make_meeting(cases)
    handout = Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="done", pdf=b"%PDF-1.7"
    )
    coordinator_client.get(cases[0].get_absolute_url())
    coordinator_client.get(reverse("meetings:handout_download", args=[handout.pk]))
    page_reads = ReadLogEntry.objects.filter(kind="case_page")
    assert list(page_reads.values_list("case_id", "username")) == [(cases[0].pk, "coordinator")]
    pack_reads = ReadLogEntry.objects.filter(kind="meeting_pack", handout_id=handout.pk)
    assert sorted(pack_reads.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)


def test_an_administrator_searches_the_read_log_by_case_number_and_sees_no_names(
    client, coordinator_client
):
    from django.contrib.auth.models import Group, User

    case = make_case()
    coordinator_client.get(case.get_absolute_url())
    administrator = User.objects.create_user("admin1", password="correct horse battery")
    administrator.is_staff = True
    administrator.save()
    administrator.groups.add(Group.objects.get(name="administrator"))
    client.force_login(administrator)
    page = client.get(reverse("admin:accounts_readlogentry_changelist"), {"q": str(case.pk)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "coordinator" in text and case.patient.name not in text and case.patient.mrn not in text


def test_prune_records_keeps_the_latest_pack_and_leaves_a_trace(settings):
    settings.HANDOUT_RETENTION_DAYS = 30
    settings.READ_LOG_RETENTION_DAYS = 30
    case = make_case()
    meeting = make_meeting([case])
    long_ago = timezone.now() - datetime.timedelta(days=40)
    old_pack, latest_pack = (
        Handout.objects.create(kind="meeting_pack", meeting=meeting, status="done", pdf=b"x")
        for _ in range(2)
    )
    old_summary = Handout.objects.create(kind="case_summary", case=case, status="done", pdf=b"x")
    recent_summary = Handout.objects.create(kind="case_summary", case=case, status="done", pdf=b"x")
    Handout.objects.exclude(pk=recent_summary.pk).update(created_at=long_ago)
    old_read = ReadLogEntry.objects.create(username="a", kind="case_page", case_id=1, path="/")
    ReadLogEntry.objects.filter(pk=old_read.pk).update(at=long_ago)
    new_read = ReadLogEntry.objects.create(username="b", kind="case_page", case_id=1, path="/")

    out = io.StringIO()
    call_command("prune_records", "--dry-run", stdout=out)
    assert "Would delete 2 handout(s)" in out.getvalue() and Handout.objects.count() == 4
    call_command("prune_records", stdout=out)
    assert set(Handout.objects.values_list("pk", flat=True)) == {latest_pack.pk, recent_summary.pk}
    assert list(ReadLogEntry.objects.values_list("pk", flat=True)) == [new_read.pk]
    deleted = Events.objects.filter(pgh_model="meetings.HandoutEvent", pgh_label="delete")
    assert {event.pgh_obj_id for event in deleted} == {str(old_pack.pk), str(old_summary.pk)}
