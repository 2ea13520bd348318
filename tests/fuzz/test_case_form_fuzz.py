"""The case form and match_case under random input: never a 500, never a partial save."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, Patient
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = [
    "mrn", "patient_name", "date_of_birth", "sex", "referral_date", "referring_clinician", "status",
    "question", "clinical_summary", "version", "use_existing_patient", "_preview",
    "fact_primary_site", "fact_smoker_current", "fact_alcohol_g_per_day", "fact_age_years",
    "fact_serum_bilirubin_umol_l", "fact_serum_bilirubin_umol_l__unit", "fact_unknown_fact",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "yes",
            "no",
            "colorectal",
            "1960-05-01",
            "2090-01-01",
            "-1",
            "1e400",
            "nan",
            "inf",
            "99999999999999999999",
            "<script>x</script>",
            "mg/dL",
            "µmol/L",
            "0",
        ]
    ),  # fmt: skip
    st.integers().map(str),
    st.floats().map(str),
)
FORM = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=len(FIELDS))


@FUZZ
@given(FORM, st.booleans())
def test_the_case_form_never_fails_and_never_half_saves(clinician_client, data, htmx):
    before = (Case.objects.count(), Patient.objects.count())
    headers = HTMX if htmx else {}
    response = clinician_client.post(reverse("cases:case_create"), data, **headers)
    assert response.status_code in (200, 302)
    cases, patients = Case.objects.count(), Patient.objects.count()
    if response.status_code == 200 and "HX-Redirect" not in response:
        assert (cases, patients) == before  # refused: nothing saved
    else:
        assert cases == before[0] + 1  # saved: a case, and its patient
    Case.objects.all().delete()
    Patient.objects.all().delete()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
FACT_NAMES = st.sampled_from(
    ["primary_site", "smoker_current", "alcohol_g_per_day", "age_years", "nope", ""]
)


@FUZZ
@given(st.one_of(json_values, st.dictionaries(FACT_NAMES, json_values, max_size=4)))
def test_match_case_answers_or_exits_2(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("facts") / "facts.json"
    try:
        path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
    except (TypeError, ValueError):
        return
    try:
        call_command("match_case", str(path), stdout=io.StringIO())
    except CommandError as error:
        assert error.returncode == 2
        assert "\n" not in str(error)
