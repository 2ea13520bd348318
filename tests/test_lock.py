"""The lock files pin what the requirements name, with hashes: a requirement changed
without compiling the lock again (docs/running.md, Upgrades) fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def pins(path: Path) -> dict[str, str]:
    return {
        re.sub(r"[-_.]+", "-", name.lower()): version
        for name, version in PIN.findall(path.read_text())
    }


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_requirement_is_locked_at_its_version_with_hashes(requirements, lock):
    wanted = pins(ROOT / requirements)
    if requirements == "requirements-dev.txt":
        wanted |= pins(ROOT / "requirements.txt")
    locked = pins(ROOT / lock)
    assert {name: version for name, version in wanted.items() if locked.get(name) != version} == {}
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert unhashed == []


def test_the_runtime_lock_is_part_of_the_development_lock():
    runtime, development = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: v for name, v in runtime.items() if development.get(name) != v} == {}
