from __future__ import annotations

import pytest

from tests.factories import make_board_cases, make_meeting


@pytest.fixture
def agenda_cases(db):
    return make_board_cases()


@pytest.fixture
def meeting(agenda_cases):
    return make_meeting(agenda_cases, board_name="Liver metastases board")


@pytest.fixture(scope="module")
def module_meeting(module_db):
    """The same meeting, made once for a module whose tests only read it."""
    return make_meeting(make_board_cases(), board_name="Liver metastases board")
