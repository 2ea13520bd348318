"""Fixtures shared by the whole suite: a fixed cast of users and the content pack."""

from __future__ import annotations

import io

import hypothesis
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from accounts import roles
from guidelines import content_pack
from tests.helpers import restore_content, save_content
from tests.smtp import inbox  # noqa: F401 (a real SMTP server's inbox, for any test)
from tests.sso import provider, sso  # noqa: F401 (a real OpenID provider, for any test)

# `pytest --hypothesis-profile=no-shrink` reports the first failing example at once
# instead of shrinking it (minutes for a printed case).
hypothesis.settings.register_profile(
    "no-shrink",
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate],
)


def pytest_collection_modifyitems(items):
    """Tests that commit empty the database after them: run them last, browser tests at the end.

    Those, and browser tests, are also marked ``slow``: ``make test-fast`` leaves them out.
    """

    def commits(item) -> int:
        if "/e2e/" in str(item.path):
            return 2
        return int("transactional_db" in getattr(item, "fixturenames", ()))

    def longest_first(item) -> int:
        # Within a group, tests that start processes go first, so that the two test
        # processes of `make test` are not left waiting for one long test at the end.
        return 0 if item.get_closest_marker("processes") else 1

    for item in items:
        if commits(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: (commits(item), longest_first(item)))


@pytest.fixture
def committed_content(transactional_db):
    """For tests whose data other processes must see: committed, with the content pack.

    The database is emptied after each such test, so the content is loaded again here.
    """
    from guidelines.models import Recommendation

    if not Recommendation.objects.exists():
        restore_content()


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_tests(settings, _media_root):
    settings.MEDIA_ROOT = str(_media_root)  # attachments: never the project's var/media
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests that log administrators in test what they do there; tests/accounts/
    # test_two_factor.py tests the second factor itself.
    settings.TWO_FACTOR_FOR_ADMINISTRATORS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the liver content pack once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        restore_content(only_emptied=True)  # a reused database may have been flushed last
        # The first area's pack: most tests are of one area (the case form asks for none);
        # the HCC area's tests load its pack themselves (``tests.hcc.load_hcc``).
        call_command("load_content", str(content_pack.DEFAULT_PACK), stdout=io.StringIO())
        save_content()
        # Loading content queues a look for case sections to lay out ahead (nothing to
        # find in an empty database); tests that count queued tasks start from none.
        DBTaskResult.objects.all().delete()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Data made once for a whole module (a rendered PDF and what it shows), in a
    transaction rolled back after the module's last test.

    Each test's own ``db`` transaction nests inside it as a savepoint, so a test
    may change data without the next test seeing the change. Use it only for data
    the module's tests read; a test that edits what a module-wide document shows
    makes its own.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _user(username: str, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username, password="correct horse battery", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def clinician(db) -> User:
    """A clinician."""
    return _user("clinician", roles.CLINICIAN, first_name="Cleo", last_name="Clinician")


@pytest.fixture
def coordinator(db) -> User:
    return _user("coordinator", roles.COORDINATOR)


@pytest.fixture
def editor(db) -> User:
    """A guideline editor, who works in the admin."""
    return _user(
        "editor", roles.GUIDELINE_EDITOR, is_staff=True, first_name="Edith", last_name="Editor"
    )


@pytest.fixture
def outsider(db) -> User:
    """Logged in, but without any role."""
    return _user("outsider")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", "correct horse battery")


@pytest.fixture
def clinician_client(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def case_data():
    """POST data of a complete, valid new case (the no-JavaScript path)."""
    return {
        "mrn": "H-123456",
        "patient_name": "Ada Example",
        "date_of_birth": "1960-05-01",
        "sex": "female",
        "referral_date": "2026-11-20",
        "referring_clinician": "Dr. Referrer, surgery",
        "status": "ready",
        "question": "Resect now or treat first?",
        "clinical_summary": "Sigmoid primary; two liver lesions.",
        "fact_primary_site": "colorectal",
        "fact_planned_procedure": "hepatectomy",
        "fact_smoker_current": "yes",
        "fact_cirrhosis": "no",
        "fact_alcohol_g_per_day": "30",
        "fact_serum_bilirubin_umol_l": "",
        "fact_serum_bilirubin_umol_l__unit": "µmol/L",
    }
