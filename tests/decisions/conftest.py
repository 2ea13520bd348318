from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts import roles
from decisions.models import Decision
from tests.decisions.records import PASSWORD, form_data, sign, start
from tests.factories import make_case, make_meeting, make_patient


@pytest.fixture
def item(db):
    """A smoker with resectable colorectal liver metastases booked for hepatectomy, on a
    meeting's agenda: five board items apply (MRI, ctDNA, ablation not over resection,
    parenchymal-sparing and minimally invasive resection), the perioperative pathway's items
    too (smoking cessation among them), and many more may apply."""
    case = make_case(
        patient=make_patient(mrn="D-1", name="Dana Decided"),
        facts={
            "primary_site": "colorectal",
            "planned_procedure": "hepatectomy",
            "smoker_current": True,
            "liver_metastases": "confirmed",
            "resectability": "resectable",
            "liver_resection_done": False,
        },
    )
    return make_meeting([case]).agenda_items.get()


@pytest.fixture
def chair(item):
    """The item's board's default chair: signs its decisions."""
    user = User.objects.create_user(
        "chair", password=PASSWORD, first_name="Mara", last_name="Okafor"
    )
    user.groups.add(Group.objects.get(name=roles.CLINICIAN))
    board = item.meeting.board
    board.default_chair = user
    board.save()
    return user


@pytest.fixture
def chair_client(chair):
    client = Client()
    client.force_login(chair)
    return client


@pytest.fixture
def signed(clinician_client, chair_client, item):
    """The item's complete record, signed by the chair."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    decision.refresh_from_db()
    assert sign(chair_client, decision).status_code == 302
    decision.refresh_from_db()
    return decision
