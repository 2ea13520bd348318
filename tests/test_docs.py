"""The documents that state the layout or the settings are checked against the code,
so that they cannot go stale: the README stays a short entrance, every setting the
code reads is listed in docs/running.md and .env.example (and nothing else is), and
docs/design.md describes every app, in the settings' order, naming only files that
exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from tests.test_dependencies import APPS

ROOT = Path(settings.BASE_DIR)
SETTING = re.compile(r"`([A-Z][A-Z0-9_]{2,})`")


def _section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _settings_read() -> set[str]:
    """Every environment variable config/settings.py reads (through config/env.py)."""
    tree = ast.parse((ROOT / "config/settings.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_the_readme_is_an_entrance_and_its_links_lead_somewhere():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 10_000
    assert "make run" in readme and "make test" in readme
    links = re.findall(r"\]\(([^)#]+)", readme)
    assert {"docs/using.md", "docs/running.md", "docs/design.md", "docs/benchmarks.md"} <= set(
        links
    )
    assert all((ROOT / link).exists() for link in links), links


def test_every_setting_read_is_documented_and_nothing_else_is():
    read = _settings_read()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SESSION_IDLE_MINUTES"} <= read
    listed = set(SETTING.findall(_section(ROOT / "docs/running.md", "Configuration")))
    assert listed == read, (sorted(read - listed), sorted(listed - read))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not [name for name in read if not re.search(rf"(?m)^#?\s*{name}=", example)]


def _layout() -> str:
    return _section(ROOT / "docs/design.md", "Layout and dependencies")


def test_the_design_states_the_order_of_the_settings():
    order = re.search(r"lower first, in the order of `INSTALLED_APPS`: ([^.]+)\.", _layout())
    stated = tuple(name.strip() for name in order.group(1).replace("\n", " ").split("←"))
    assert stated == APPS


def test_the_design_describes_every_app_and_names_only_what_exists():
    bullets = re.split(r"\n- ", _layout())[1:]
    described = {}
    for bullet in bullets:
        head = re.match(r"`([\w/]+)/`", bullet)
        if head:
            described[head.group(1)] = bullet
    assert set(APPS) | {"config", "printing"} <= set(described)
    missing = []
    for folder, bullet in described.items():
        for name in re.findall(r"`([\w./]+\.(?:py|html)|[\w]+/)`", bullet):
            places = [ROOT / name, ROOT / folder / name, ROOT / "templates" / name,
                      ROOT / "static" / name, ROOT / folder / "management/commands" / name]  # fmt: skip
            if not any(place.exists() for place in places):
                missing.append(f"{folder}: {name}")
    assert missing == []
