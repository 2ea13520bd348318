"""Staff who may not see patients cannot read them anywhere in the admin.

Guideline editors and administrators open the admin for their own work; patient
names, MRNs and case facts must not reach them through any admin page, the audit
Events list included, and an object's existence must not show either.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, User
from django.urls import reverse
from pghistory.models import Events

from accounts import roles
from meetings.models import Attendance
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db

NAME, MRN = "Zelda Privatepatient", "PRIV-4242"


@pytest.fixture
def patient():
    patient = make_patient(name=NAME, mrn=MRN)
    case = make_case(patient=patient, question=f"Question about {NAME}")
    meeting = make_meeting([case])
    Attendance.objects.create(meeting=meeting, name="Dr. A", specialty="Surgery")
    return patient


def staff_with_role(role: str) -> User:
    user = User.objects.create_user(role.replace(" ", "-"), is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def admin_urls(patient) -> list[str]:
    """Every admin list, and the change, delete and history pages of a real object."""
    urls = ["/admin/"]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        obj = model.objects.first() if model is not Events else None
        if obj is not None:
            for view in ("change", "delete", "history"):
                urls.append(reverse(f"{prefix}_{view}", args=[quote(obj.pk)]))
    event = Events.objects.tracks(patient).get()
    urls += [
        "/admin/pghistory/events/?model=cases.patient",
        "/admin/pghistory/events/?event_model=cases.patientevent",
        f"/admin/pghistory/events/?obj=cases.patient:{patient.pk}&method=tracks",
        reverse("admin:pghistory_events_change", args=[quote(event.pk)]),
        # the autocomplete widgets' search: patients by name, cases for an agenda
        "/admin/autocomplete/?app_label=cases&model_name=case&field_name=patient&term=Zelda",
        "/admin/autocomplete/?app_label=meetings&model_name=agendaitem&field_name=case&term=Z",
    ]
    return urls


@pytest.mark.slow  # every admin page: `make test`, not the inner loop
@pytest.mark.parametrize("role", [roles.GUIDELINE_EDITOR, roles.ADMINISTRATOR])
def test_no_admin_page_shows_patient_data_to_staff_without_case_rights(client, patient, role):
    client.force_login(staff_with_role(role))
    leaks = []
    for url in admin_urls(patient):
        body = client.get(url).content.decode()
        if NAME in body or MRN in body:
            leaks.append(url)
    assert not leaks


def test_the_probe_would_see_a_leak(client, patient):
    """The same pages do show the patient to a superuser, so the test above can fail."""
    client.force_login(User.objects.create_superuser("su", "su@example.org", "x"))
    event = Events.objects.tracks(patient).get()
    page = client.get(reverse("admin:pghistory_events_change", args=[quote(event.pk)]))
    assert NAME in page.content.decode()
    search = "/admin/autocomplete/?app_label=cases&model_name=case&field_name=patient&term=Zelda"
    assert NAME in client.get(search).content.decode()


@pytest.mark.parametrize("role", [roles.GUIDELINE_EDITOR, roles.ADMINISTRATOR])
def test_admin_object_pages_do_not_tell_whether_a_patient_record_exists(client, patient, role):
    client.force_login(staff_with_role(role))
    for model, pk in (("patient", patient.pk), ("case", patient.cases.get().pk)):
        for view in ("change", "delete", "history"):
            present = client.get(reverse(f"admin:cases_{model}_{view}", args=[pk]))
            absent = client.get(reverse(f"admin:cases_{model}_{view}", args=[999_999]))
            assert present.status_code == absent.status_code == 403, (model, view)
