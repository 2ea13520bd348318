"""Small helpers shared by tests (fixtures live in the conftest files)."""

from __future__ import annotations

import io

from pypdf import PdfReader

# Request headers of an htmx request (django-htmx reads HX-Request).
HTMX = {"HTTP_HX_REQUEST": "true"}


def fact_row(label: str, value: str, origin: str = "") -> str:
    """A row of the case page's known facts, as the page writes it."""
    shown = f'<span class="fact-value">{value}</span>'
    if origin:
        shown += f' <span class="fact-origin">({origin})</span>'
    return f'<th scope="row">{label}</th><td>{shown}</td>'


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def liver_content():
    """The shipped liver pack's content as matching reads it (``snapshot.AreaContent``)."""
    from guidelines import snapshot

    return snapshot.current().by_slug("liver")


# The guideline content (and the lists migrations seed), as loaded once per test
# database, kept in tables of its own:
# tests that commit empty every table after them (Django's flush), and putting these
# rows back takes milliseconds where loading the content pack again takes seconds.
_SAVED = "test_saved_"


def _content_tables() -> list[str]:
    from decisions.models import LetterTemplate, Modality, NotFollowedReason
    from guidelines.models import (
        Caution,
        DiseaseArea,
        Fact,
        FactChoice,
        FactGroup,
        GuidelineSource,
        ReadinessItem,
        Recommendation,
        Section,
        Subsection,
    )

    # Parents before children; then the lists and wording the decisions migrations seed.
    models = (DiseaseArea, FactGroup, Fact, FactChoice, GuidelineSource, Section, Subsection,
              Recommendation, Caution, ReadinessItem, Modality, NotFollowedReason,
              LetterTemplate)  # fmt: skip
    return [model._meta.db_table for model in models]


def save_content() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in _content_tables():
            cursor.execute(f"DROP TABLE IF EXISTS {_SAVED}{table}")
            cursor.execute(f"CREATE TABLE {_SAVED}{table} AS SELECT * FROM {table}")


def restore_content(*, only_emptied: bool = False) -> None:
    """The saved content back, each row with its own id. The audit triggers record it as
    the content pack's load (which it is a copy of), so that a pack loaded later sees no
    change made by hand. ``only_emptied``: just the tables a previous run's last flush
    emptied (``--reuse-db``), from copies that exist."""
    import pghistory
    from django.db import connection

    with connection.cursor() as cursor, pghistory.context(command="load_content"):
        for table in _content_tables():
            if only_emptied:
                cursor.execute("SELECT to_regclass(%s) IS NULL", [_SAVED + table])
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
                if cursor.fetchone()[0]:
                    continue
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {_SAVED}{table}")


def migrate_to(targets=None) -> None:
    """Migrate the test database to the given migrations, or to the latest of every app."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
