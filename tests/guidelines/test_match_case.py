"""``manage.py match_case``: JSON in, JSON out, exit status 2 on bad input."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command, get_commands, load_command_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the command as the shell would; return (exit status, stdout, stderr)."""

    def run(argv: list[str], stdin: str | None = None):
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        command = load_command_class(get_commands()["match_case"], "match_case")
        status = 0
        try:
            command.run_from_argv(["manage.py", "match_case", *argv])
        except SystemExit as exit_:
            status = exit_.code
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def facts_file(tmp_path, content) -> str:
    path = tmp_path / "facts.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_prints_the_grouped_matches_as_json(tmp_path):
    path = facts_file(
        tmp_path,
        {
            "primary_site": "gist",
            "liver_resection_done": True,
            "pregnant": None,
            "smoker_current": True,
        },
    )
    out = io.StringIO()
    call_command("match_case", path, stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"applies", "may_apply", "does_not_apply", "derived"}
    assert [item["id"] for item in data["applies"]] == ["mm-adjuvant-imatinib-gist"]
    first = data["applies"][0]
    assert first["source"] == "JSHBPS 2021"
    assert first["statement"].startswith("After resection of GIST liver metastases")
    assert all("missing" in item for item in data["may_apply"])
    assert len(data["applies"]) + len(data["may_apply"]) + len(data["does_not_apply"]) == 54


def test_reads_standard_input(run):
    status, out, _ = run(["-"], stdin='{"planned_procedure": "hepatectomy"}')
    assert status == 0
    assert "pc-counseling" in [item["id"] for item in json.loads(out)["applies"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"smoker": true}', "fact 'smoker': no such fact in the catalogue"),
        ('{"primary_site": "lung"}', "fact 'primary_site': 'lung' is not an allowed value"),
        ('{"smoker_current": 1}', "fact 'smoker_current': expected true or false, got 1"),
        ('{"smoker_current": "yes"}', "fact 'smoker_current': expected true or false, got 'yes'"),
        (
            '{"alcohol_g_per_day": "lots"}',
            "fact 'alcohol_g_per_day': expected a number, got 'lots'",
        ),
        ('{"age_years": -4}', "fact 'age_years': -4 is outside the allowed range (0–120 years)"),
        ('{"age_years": 40.5}', "fact 'age_years': expected a whole number, got 40.5"),
        ('{"alcohol_g_per_day": 1e300}', "fact 'alcohol_g_per_day': 1e+300 is implausibly large"),
        ('{"primary_site": ["colorectal"]}', "fact 'primary_site': expected one of"),
        ("[1, 2]", "input must be a JSON object of facts, not a list"),
        ('"colorectal"', "input must be a JSON object of facts, not a str"),
        ("{not json", "input is not valid JSON"),
        ("", "input is not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(run, tmp_path, content, message):
    status, out, err = run([facts_file(tmp_path, content)])
    assert status == 2
    assert out == ""
    assert message in err
    assert err.strip().count("\n") == 0


def test_a_missing_file_exits_2(run, tmp_path):
    status, _, err = run([str(tmp_path / "nope.json")])
    assert status == 2
    assert "cannot read" in err
