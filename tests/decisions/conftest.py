from __future__ import annotations

import pytest

from tests.factories import make_case, make_meeting, make_patient


@pytest.fixture
def item(db):
    """A case with a smoker on a meeting's agenda: the item a decision is about."""
    case = make_case(
        patient=make_patient(mrn="D-1", name="Dana Decided"),
        facts={
            "primary_site": "colorectal",
            "planned_procedure": "hepatectomy",
            "smoker_current": True,
        },
    )
    return make_meeting([case]).agenda_items.get()
