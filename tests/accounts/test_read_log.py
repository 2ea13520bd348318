"""Who read which patient's data: logged per patient, searchable without names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ReadLogEntry
from meetings.models import Handout
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db


def test_reading_a_case_page_or_a_pack_is_logged_per_patient(coordinator_client, coordinator):
    cases = [make_case(), make_case(patient=make_patient(mrn="MRN-0002", name="Bo Other"))]
    meeting = make_meeting(cases)
    handout = Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="done", content=b"%PDF-1.7"
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
