"""Migration cases 0014: the lesion table's sizes become measurements at imaging timepoints,
and typed values of the facts recorded over time become dated values; and back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from cases.models import DatedValue, ImagingTimepoint
from liver.models import Lesion, Measurement
from tests.factories import make_case, make_lesion
from tests.helpers import migrate_to

BEFORE = [("cases", "0013_open_cases_index"), ("guidelines", "0011_areas_as_data")]


@pytest.mark.slow
def test_sizes_become_measurements_and_typed_values_dated_values(committed_content):
    case = make_case(facts={"primary_site": "colorectal", "cea_ng_ml": 48, "inr": 1.2},
                     referral_date=datetime.date(2026, 10, 5))  # fmt: skip
    make_lesion(case, segments=["VI"], diameter_mm=35, imaging="mri",
                imaging_date=datetime.date(2026, 9, 1))  # fmt: skip
    make_lesion(case, segments=["II"], diameter_mm=12, imaging="ct",
                imaging_date=datetime.date(2026, 9, 3))  # fmt: skip
    make_lesion(case, segments=["VIII"], diameter_mm=20, imaging="ct",
                imaging_date=datetime.date(2026, 9, 3))  # fmt: skip
    make_lesion(case, segments=["V"])  # no size
    migrate_to(BEFORE)  # each row holds its latest size again
    with connection.cursor() as cursor:  # a row as the old form allowed: a size, no date
        cursor.execute("UPDATE cases_lesion SET imaging_date = NULL, imaging = '' "
                       "WHERE case_id = %s AND number = 3", [case.pk])  # fmt: skip
        cursor.execute("SELECT number, diameter_mm, imaging, imaging_date FROM cases_lesion "
                       "WHERE case_id = %s ORDER BY number", [case.pk])  # fmt: skip
        assert cursor.fetchall() == [(1, 35, "mri", datetime.date(2026, 9, 1)),
                                     (2, 12, "ct", datetime.date(2026, 9, 3)),
                                     (3, 20, "", None), (4, None, "", None)]  # fmt: skip
    migrate_to()
    found = {(m.lesion.number, m.timepoint.day, m.timepoint.modality, m.state, m.diameter_mm)
             for m in Measurement.objects.select_related("lesion", "timepoint")}  # fmt: skip
    assert found == {
        (1, datetime.date(2026, 9, 1), "mri", "measured", 35),
        (2, datetime.date(2026, 9, 3), "ct", "measured", 12),
        (3, datetime.date(2026, 10, 5), "", "measured", 20),  # dated by the referral
    }
    undated = ImagingTimepoint.objects.get(day=datetime.date(2026, 10, 5))
    assert "dated by the case's referral" in undated.conclusion
    assert Lesion.objects.get(case=case, number=4).measurements.count() == 0
    values = set(DatedValue.objects.values_list("fact", "value", "day"))
    assert values == {("cea_ng_ml", 48.0, datetime.date(2026, 10, 5)),
                      ("inr", 1.2, datetime.date(2026, 10, 5))}  # fmt: skip
