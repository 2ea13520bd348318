from __future__ import annotations

import pytest

from tests.factories import in_three_days, make_board_cases, make_meeting


@pytest.fixture
def agenda_cases(db):
    return make_board_cases()


@pytest.fixture
def meeting(agenda_cases):
    """A meeting the coordinator prepares: in three days."""
    return make_meeting(
        agenda_cases, board_name="Liver metastases board", starts_at=in_three_days()
    )


@pytest.fixture(scope="module")
def module_meeting(module_db):
    """The same meeting, made once for a module whose tests only read it."""
    return make_meeting(make_board_cases(), board_name="Liver metastases board")
