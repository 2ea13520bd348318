"""Dependencies run one way: accounts ← guidelines ← cases ← meetings ← decisions ← quality
← interop.

Every import in the project's code, at module level or inside a function, is
read from the source, so a function-level import cannot hide a cycle either.
``printing`` sits below the apps; ``config`` holds settings and helpers that
apps may use, and only its URLs and its project-wide commands may name apps
(those commands find each app's modules by name: ``config/discovery.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "accounts",
    "guidelines",
    "cases",
    "meetings",
    "decisions",
    "quality",
    "interop",
)  # lower first
PACKAGES = ("config", "printing", *APPS)
# Modules that must run without Django: the engine and what it reads.
PURE = ("guidelines/conditions.py", "guidelines/facts.py", "guidelines/derived.py",
        "guidelines/matching.py", "guidelines/scores.py")  # fmt: skip
# config modules that stand above every app: the URL map.
PROJECT_LEVEL = ("config/urls.py",)


def _imports(path: Path) -> set[str]:
    """The top-level package of everything a module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield package, path


@pytest.mark.parametrize("package,path", list(_modules()), ids=lambda v: str(v))
def test_no_module_imports_an_app_above_its_own(package, path):
    relative = str(path.relative_to(ROOT))
    if relative in PROJECT_LEVEL:
        return
    allowed = set(APPS[: APPS.index(package) + 1]) if package in APPS else set()
    for module in _imports(path):
        top = module.split(".")[0]
        if top in APPS:
            assert top in allowed, f"{relative} imports {module}"


@pytest.mark.parametrize("relative", PURE)
def test_the_engine_imports_nothing_from_django(relative):
    imported = _imports(ROOT / relative)
    assert not [m for m in imported if m.split(".")[0] == "django"], relative
    assert imported & {"guidelines.models", "guidelines.snapshot"} == set(), relative


def test_the_walk_sees_the_imports_it_judges():
    # A check that found no imports would pass for any code.
    assert "guidelines.models" in _imports(ROOT / "guidelines/snapshot.py")
    assert "cases.models" in _imports(ROOT / "meetings/models.py")
