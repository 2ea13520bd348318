"""Dependencies run one way, in the order of INSTALLED_APPS: each of the project's apps
may use the apps listed before it, never one after it.

Every import in the project's code, at module level or inside a function (template tag
libraries and the API included), is read from the source, so a function-level import
cannot hide a cycle either. Templates are held to the same order: a template of an app
loads tag libraries, names URLs and includes templates of that app and those below it
only; where a page of a lower app shows a part of a higher one, the higher app fills a
slot of the page (``common.slots``). ``printing`` sits below the apps; ``config`` is the
project (settings, the URL map, project-wide commands) and no app imports it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver

ROOT = Path(settings.BASE_DIR)
# The project's own apps, lower first, as INSTALLED_APPS lists them ("config" is the
# project itself, above them all).
APPS = tuple(
    app.name
    for app in apps.get_app_configs()
    if Path(app.path).resolve().parent == ROOT.resolve() and app.name != "config"
)
BELOW_THE_APPS = ("printing",)
PACKAGES = (*BELOW_THE_APPS, *APPS)
# Modules that must run without Django: the engine and what it reads.
PURE = ("guidelines/conditions.py", "guidelines/facts.py", "guidelines/derived.py",
        "guidelines/matching.py", "guidelines/scores.py", "guidelines/registry.py",
        "guidelines/terminology.py", "guidelines/recist.py")  # fmt: skip


def _imports(path: Path) -> set[str]:
    """Everything a module imports, anywhere in it."""
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


def _allowed(package: str) -> set[str]:
    """The apps a package may use: itself and those below it."""
    return set(APPS[: APPS.index(package) + 1]) if package in APPS else set()


def test_the_order_is_the_settings_and_covers_every_app():
    assert APPS[:3] == ("common", "accounts", "documents")
    assert {"guidelines", "cases", "meetings", "decisions", "quality", "interop", "api"} <= set(
        APPS
    )
    assert APPS.index("cases") < APPS.index("meetings") < APPS.index("decisions")


@pytest.mark.parametrize("package,path", list(_modules()), ids=lambda v: str(v))
def test_no_module_imports_an_app_above_its_own_nor_the_project(package, path):
    relative = str(path.relative_to(ROOT))
    allowed = _allowed(package)
    for module in _imports(path):
        top = module.split(".")[0]
        assert top != "config", f"{relative} imports {module}: the project is above every app"
        if top in APPS:
            assert top in allowed, f"{relative} imports {module}"


@pytest.mark.parametrize("relative", PURE)
def test_the_engine_imports_nothing_from_django(relative):
    imported = _imports(ROOT / relative)
    assert not [m for m in imported if m.split(".")[0] == "django"], relative
    assert imported & {"guidelines.models", "guidelines.snapshot"} == set(), relative


# --- Templates -----------------------------------------------------------------------

LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
URL = re.compile(r"""{%\s*url\s+['"]([\w-]+):""")
INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+['"]([\w-]+)/""")


def _tag_libraries() -> dict[str, str]:
    """Each template tag library of the project's apps → its app."""
    return {
        path.stem: app
        for app in APPS
        for path in (ROOT / app / "templatetags").glob("*.py")
        if path.stem != "__init__"
    }


def _namespaces() -> dict[str, str]:
    """Each URL namespace → the app whose URL module it is (a namespace of patterns made
    by a library, such as the API's or the admin's: the app of its name, if any)."""
    found = {}
    for namespace, (_, resolver) in get_resolver().namespace_dict.items():
        module = getattr(resolver.urlconf_name, "__name__", "")
        found[namespace] = module.split(".")[0] if module else namespace
    return {namespace: app for namespace, app in found.items() if app in APPS}


def _templates():
    for app in APPS:
        for path in sorted((ROOT / "templates" / app).rglob("*.html")):
            yield app, path


@pytest.mark.parametrize("app,path", list(_templates()), ids=lambda v: str(v))
def test_a_template_uses_nothing_of_an_app_above_its_own(app, path):
    text = path.read_text(encoding="utf-8")
    allowed = _allowed(app)
    libraries, namespaces = _tag_libraries(), _namespaces()
    for names in LOAD.findall(text):
        for library in names.split():
            owner = libraries.get(library)
            assert owner is None or owner in allowed, f"{path.name} loads {library} ({owner})"
    for namespace in URL.findall(text):
        owner = namespaces.get(namespace)
        assert owner is None or owner in allowed, f"{path.name} names {namespace}: URLs"
    for directory in INCLUDE.findall(text):
        assert directory not in APPS or directory in allowed, f"{path.name} includes {directory}/"


def test_the_walks_see_what_they_judge():
    # A check that found nothing would pass for any code.
    assert "guidelines.models" in _imports(ROOT / "guidelines/snapshot.py")
    assert "cases.models" in _imports(ROOT / "meetings/models.py")
    assert _tag_libraries()["decision_tags"] == "decisions"
    assert _namespaces()["decisions"] == "decisions"
    page = (ROOT / "templates/cases/case_detail.html").read_text(encoding="utf-8")
    assert "slots" in LOAD.findall(page)[0] and "cases" in URL.findall(page)
    assert len(list(_templates())) > 40
