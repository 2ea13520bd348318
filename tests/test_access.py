"""Who may open what: every URL pattern, for anonymous users, each role and a superuser.

The URLs come from the resolver (tests/urlwalk.py), so a new view cannot be
forgotten: a route without an expectation here fails the test.
"""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts import roles
from accounts.models import ReadLogEntry
from cases.models import Case, CaseSummary, DatedValue, Treatment
from decisions.models import Action, Decision, LetterTemplate
from documents.tasks import render_document
from meetings.models import Attendance, BoardMember, Handout, Meeting, Specialty
from quality.models import QualityReport
from tests.factories import make_attachment, make_case, make_fact, make_lesion, make_meeting
from tests.urlwalk import Route, routes
from trials.models import Trial

PERSONAS = (
    "anonymous",
    "outsider",
    "clinician",
    "coordinator",
    "editor",
    "trials",
    "administrator",
    "superuser",
)
CASE_ROLES = {"clinician", "coordinator", "superuser"}
MEETING_CHANGERS = {"coordinator", "superuser"}
POST_ONLY = {
    "meetings:agenda_add",
    "meetings:agenda_move",
    "meetings:agenda_remove",
    "meetings:attendance_add",
    "meetings:attendance_remove",
    "meetings:pack_generate",
    "decisions:decision_start",
    "decisions:decision_refresh",
    "decisions:decision_sign",
    "decisions:decision_autosave",
    "decisions:decision_accept_proposals",
    "decisions:decision_confirm",
    "decisions:decision_amend",
    "decisions:action_done",
    "decisions:minutes_generate",
    "liver:lesion_add",
    "liver:lesion_remove",
    "cases:timepoint_remove",
    "cases:value_remove",
    "cases:treatment_remove",
    "cases:attachment_remove",
    "decisions:attachment_release",
    "decisions:letter_generate",
    "quality:report_generate",
    "token_revoke",
}
# No login: the secret in the address is the key (the sweep's is not a real one).
CALENDAR_FEEDS = {"meetings:calendar_feed", "meetings:calendar_board_feed"}
QUALITY = {"coordinator", "administrator", "superuser"}  # every board's figures
COURSE_EDITS = {"liver:lesion_edit", "cases:timepoint_edit", "cases:treatment_edit",
                "cases:timepoint_add", "cases:treatment_add", "cases:value_add",
                "cases:attachment_add"}  # fmt: skip


# What each staff persona may do in the admin, per model: the roles of accounts/roles.py
# written out again by hand, so that a change to a role shows up here as a failure.
_GUIDELINES = ("diseasearea", "fact", "guidelinesource", "recommendation", "section",
               "subsection", "readinessitem")  # fmt: skip
_BOARDS = ("board", "boardmember", "specialty")
_LISTS = ("modality", "notfollowedreason")
ADMIN_RIGHTS = {
    "editor": {f"guidelines.{m}": {"view", "change", "add", "delete"} for m in _GUIDELINES},
    # The trial list (its criteria are edited on the trial's page), and the guidelines read.
    "trials": {
        "trials.trial": {"view", "change", "add", "delete"},
        **{f"guidelines.{m}": {"view"} for m in _GUIDELINES},
    },
    "administrator": {
        "auth.user": {"view", "change", "add"},
        "auth.group": {"view"},
        "axes.accessattempt": {"view", "delete"},
        "accounts.readlogentry": {"view"},
        "accounts.accountchange": {"view"},
        **{f"guidelines.{m}": {"view"} for m in _GUIDELINES},
        **{f"meetings.{m}": {"view", "change", "add", "delete"} for m in _BOARDS},
        **{f"decisions.{m}": {"view", "change", "add", "delete"} for m in _LISTS},
        "decisions.lettertemplate": {"view", "change"},
    },
}
# What the admin itself allows nobody, superusers included.
ADMIN_NEVER = {
    "meetings.handout": {"add", "change"},  # printed records: viewed, never edited
    "cases.casesummary": {"add", "change"},
    "decisions.lettertemplate": {"add", "delete"},  # one wording: changed, never removed
    "axes.accessattempt": {"add"},
    "axes.accesslog": {"add"},
    "axes.accessfailurelog": {"add"},
    "django_tasks_database.dbtaskresult": {"add", "change", "delete"},
    "pghistory.events": {"add", "delete"},
    # Goes only by the retention policy: the audit trail cannot be edited away.
    "accounts.readlogentry": {"add", "change", "delete"},
    "accounts.accountchange": {"add", "change", "delete"},  # a record of who did what
}
ADMIN_ACTIONS = {
    "changelist": "view",
    "change": "view",
    "history": "view",
    "add": "add",
    "delete": "delete",
    "password_change": "change",
    "import": "add",  # a trial from a saved registry record (it also changes one)
}
ADMIN_MODEL_PATH = re.compile(r"^/admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/")


@pytest.fixture
def world(db):
    # A test that commits empties the tables, content types included, and they come back
    # with other ids: this process's cache of them would name the wrong model.
    ContentType.objects.clear_cache()
    case = make_case()
    meeting = make_meeting([case])
    attendance = Attendance.objects.create(meeting=meeting, name="Dr. A", specialty="Surgery")
    handout = Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="done", content=b"%PDF-1.7"
    )
    # One real row of every model the admin shows, so that each admin URL names one.
    target = User.objects.create_user("target", password="correct horse battery")
    target.groups.add(Group.objects.get(name=roles.CLINICIAN))
    AccessAttempt.objects.create(username="target", ip_address="10.0.0.1", failures_since_start=1)
    AccessLog.objects.create(username="target", ip_address="10.0.0.1")
    AccessFailureLog.objects.create(username="target", ip_address="10.0.0.1")
    render_document.enqueue("meeting_pack", handout.pk)
    LetterTemplate.current().save()  # the one wording (a flushed database has lost it)
    minutes = Handout.objects.create(
        kind="minutes", meeting=meeting, status="done", content=b"%PDF"
    )
    ReadLogEntry.objects.create(username="x", kind="case_page", case_id=case.pk, path="/")
    CaseSummary.objects.create(case=case, pdf=b"%PDF-1.7", page_count=1, fingerprint="f")
    lesion = make_lesion(case, segments=["VI"], diameter_mm=20)
    timepoint = case.patient.timepoints.get()
    value = DatedValue.objects.create(
        patient=case.patient, fact="cea_ng_ml", value=12, day=datetime.date(2026, 10, 1)
    )
    treatment = Treatment.objects.create(
        patient=case.patient, kind="systemic", line=1, started_on=datetime.date(2026, 9, 1)
    )
    attachment = make_attachment(case)
    decision = Decision.objects.create(agenda_item=meeting.agenda_items.get())
    action = Action.objects.create(decision=decision, what="Book liver MRI")
    surgery = Specialty.objects.create(name="HPB surgery")
    BoardMember.objects.create(board=meeting.board, user=target, specialty=surgery)
    unused_fact = make_fact("unused_fact")  # deletable: no condition reads it
    Trial.objects.create(area=case.area, identifier="NCT00000001", title="A trial")
    report = QualityReport.objects.create(
        boards=[meeting.board.pk], start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30),
        status="done", content=b"%PDF-1.7", page_count=1,
    )  # fmt: skip
    return {
        "report": report.pk,
        "case": case.pk,
        "meeting": meeting.pk,
        "item": meeting.agenda_items.get().pk,
        "attendance": attendance.pk,
        "handout": handout.pk,
        "decision": decision.pk,
        "minutes": minutes.pk,
        "lesion": lesion.pk,
        "timepoint": timepoint.pk,
        "value": value.pk,
        "treatment": treatment.pk,
        "attachment": attachment.pk,
        "action": action.pk,
        "admin_objects": {
            "auth.user": target.pk,
            "auth.group": Group.objects.get(name=roles.CLINICIAN).pk,
            "guidelines.fact": unused_fact.pk,
        },
    }


def _admin_object(world: dict, label: str) -> int:
    if label in world["admin_objects"]:
        return world["admin_objects"][label]
    return apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)[0]


def _person(persona: str) -> User | None:
    if persona == "anonymous":
        return None
    if persona == "superuser":
        return User.objects.create_superuser("su", "su@example.org", "correct horse battery")
    user = User.objects.create_user(persona, password="correct horse battery")
    role = {
        "clinician": roles.CLINICIAN,
        "coordinator": roles.COORDINATOR,
        "editor": roles.GUIDELINE_EDITOR,
        "trials": roles.TRIAL_COORDINATOR,
        "administrator": roles.ADMINISTRATOR,
    }.get(persona)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.is_staff = persona in ("editor", "trials", "administrator")
    user.save()
    return user


def url_for(route: Route, world: dict, missing: bool = False) -> str:
    """A concrete URL for a route, naming real objects (or missing ones)."""
    if route.full_name == "admin_object_shortcut":
        case_type = ContentType.objects.get_for_model(Case)
        return f"/admin/r/{case_type.pk}/{999_999 if missing else world['case']}/"
    if route.namespace == "admin":
        found = ADMIN_MODEL_PATH.match(route.sample_path)
        if not route.params or not found or route.name == "app_list":
            return route.sample_path
        label = f"{found['app']}.{found['model']}"
        pk = 999_999 if missing else _admin_object(world, label)
        return route.sample_path.replace(f"/{found['model']}/1/", f"/{found['model']}/{pk}/")
    if not route.params:
        return route.sample_path
    kwargs = {}
    for param in route.params:
        if param == "table":
            kwargs[param] = "no-such-table" if missing else "activity"
            continue
        if param == "fmt":
            kwargs[param] = "nope" if missing else "csv"
            continue
        if param == "secret":
            kwargs[param] = "no-such-secret"
            continue
        if param == "board":
            kwargs[param] = (
                999_999 if missing else Meeting.objects.get(pk=world["meeting"]).board_id
            )
            continue
        if param == "slug":
            kwargs[param] = "no-such-recommendation" if missing else "pc-counseling"
            continue
        key = {
            "item_pk": "item",
            "attendance_pk": "attendance",
            "decision_pk": "decision",
            "action_pk": "action",
            "lesion_pk": "lesion",
        }.get(param)
        if key is None and param == "item" and route.namespace == "cases":
            key = route.name.partition("_")[0]  # the course's rows, an attachment
        if key is None:
            if route.namespace == "api":
                key = {"get_meeting": "meeting", "get_decision": "decision"}.get(route.name, "case")
            elif route.namespace in ("cases", "liver", "interop"):
                key = "case"
            elif route.namespace == "quality":
                key = "report"
            elif route.name.startswith("handout_"):
                key = "handout"
            elif route.name == "document_status":
                key = "minutes"
            else:
                key = "meeting"
        kwargs[param] = 999_999 if missing else world[key]
    return reverse(route.full_name, kwargs=kwargs)


def admin_may(persona: str, label: str, right: str) -> bool:
    if right in ADMIN_NEVER.get(label, ()):
        return False
    if persona == "superuser":
        return True
    return right in ADMIN_RIGHTS.get(persona, {}).get(label, set())


def expected_in_admin(persona: str, route: Route) -> int:
    """The one answer a staff persona gets for an admin URL naming a real object."""
    name, path = route.full_name, route.sample_path
    if name == "admin:logout":
        return 405
    if name == "admin:login":
        return 302  # already logged in: on to the index
    if path in (
        "/admin/",
        "/admin/jsi18n/",
        "/admin/password_change/",
        "/admin/password_change/done/",
    ):
        return 200
    if name == "admin:autocomplete":
        return 403  # without its parameters, for everyone
    if name == "admin:app_list":  # /admin/guidelines/
        return 200 if persona in ("editor", "trials", "administrator", "superuser") else 404
    found = ADMIN_MODEL_PATH.match(path)
    if found is None:
        return 404  # the admin's catch-all
    label = f"{found['app']}.{found['model']}"
    if name == "admin:":
        return 302  # /admin/<app>/<model>/<id>/ redirects to the change page
    action = name.removeprefix(f"admin:{found['app']}_{found['model']}_")
    right = ADMIN_ACTIONS[action]
    may = admin_may(persona, label, right) or (
        right == "view" and admin_may(persona, label, "change")
    )
    return 200 if may else 403


API_DOCS = {"api:openapi-view", "api:openapi-json"}


def expected_in_api(persona: str, route: Route) -> int:
    """The API, asked with the persona's session (tests/test_api.py asks with tokens)."""
    name = route.full_name
    if name == "api:api-root":  # nothing there (an account without a role is refused first)
        return 403 if persona == "outsider" else 404
    if persona == "anonymous":
        return 302 if name in API_DOCS else 401  # the docs are pages; the rest take a token
    if persona == "outsider":
        return 403
    if name in API_DOCS:
        return 200
    return 200 if persona in CASE_ROLES else 404


def expected(persona: str, route: Route) -> int:
    """The one status code a persona gets for a GET of the route."""
    name = route.full_name
    if name == "favicon":
        return 302  # public, like the login page
    if name == "session_status":
        return 200  # says whether the browser is logged in; a token only to those who are
    if name in ("health_live", "health_ready"):
        return 200  # for load balancers and monitoring: no login, no patient data
    if name == "metrics":
        return 404  # only with METRICS_TOKEN set, and then only to it (test_observability)
    if name in ("oidc_authentication_init", "oidc_authentication_callback"):
        return 404  # single sign-on is not set up here (tests/accounts/test_sso.py)
    if name == "login" or (name == "admin:login" and persona == "anonymous"):
        return 200
    if name in CALENDAR_FEEDS:  # (a logged-in account without a role is refused first)
        return 403 if persona == "outsider" else 404
    if route.namespace == "api":
        return expected_in_api(persona, route)
    if name == "admin:login":
        return {"outsider": 403, "clinician": 200, "coordinator": 200}.get(persona, 302)
    if persona == "anonymous":
        return 302
    if name == "logout":
        return 405  # logging out takes a POST
    if name in ("password_change", "two_factor"):
        return 200  # everyone logged in changes their own password and second factor
    if persona == "outsider":
        return 403
    staff = persona in ("editor", "trials", "administrator", "superuser")
    if route.namespace == "admin" or name == "admin_object_shortcut":
        if not staff:
            return 302  # not staff: sent to the admin's own login
        if name == "admin_object_shortcut":
            return 302 if persona == "superuser" else 404
        return expected_in_admin(persona, route)
    if name in POST_ONLY:
        return 405
    if name == "home":
        return 302
    if name == "api_tokens":
        return 200  # everyone with a role manages their own tokens
    if name == "my_work":
        return 200 if persona in CASE_ROLES else 404
    if route.namespace == "guidelines":
        return 200
    if name in COURSE_EDITS:  # outside htmx, the row's form on the case page
        return 302 if persona in CASE_ROLES else 404
    if route.namespace == "cases":
        return 200 if persona in CASE_ROLES else 404
    if name in ("meetings:meeting_create", "meetings:meeting_edit"):
        return 200 if persona in MEETING_CHANGERS else 404
    if route.namespace == "decisions":  # drafting is for everyone who works on cases
        if persona not in CASE_ROLES:
            return 404
        # Meeting mode opens at an item; a document's progress outside htmx is its page.
        redirects = ("decisions:meeting_mode_start", "decisions:document_status")
        return 302 if name in redirects else 200
    if route.namespace == "meetings":
        if persona not in CASE_ROLES:
            return 404
        return 302 if name == "meetings:handout_status" else 200
    if route.namespace == "interop":  # a case's bundle, and starting a case from one
        return 200 if persona in CASE_ROLES else 404
    if route.namespace == "quality":  # a clinician who chairs a board sees its figures only
        if persona not in QUALITY:
            return 404
        return 302 if name == "quality:report_status" else 200
    raise AssertionError(
        f"no expectation for {name} ({route.sample_path}): add one to tests/test_access.py"
    )


ROUTES = routes()


@pytest.mark.django_db
@pytest.mark.slow  # a sweep of some 1,000 requests: `make test`, not the inner loop
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_gives_each_persona_the_expected_outcome(client, world, persona):
    user = _person(persona)
    if user:
        client.force_login(user)
    failures = []
    for route in ROUTES:
        url = url_for(route, world)
        status = client.get(url).status_code
        if status != expected(persona, route):
            failures.append(
                f"{route.full_name} {url}: {status}, expected {expected(persona, route)}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize("persona", ["anonymous", "outsider", "editor", "trials", "administrator"])
def test_an_unauthorised_request_cannot_tell_whether_an_object_exists(client, world, persona):
    user = _person(persona)
    if user:
        client.force_login(user)
    for route in ROUTES:
        if route.full_name == "admin_object_shortcut" or (
            (
                route.namespace in ("cases", "meetings", "interop")
                or (route.namespace == "quality" and persona not in QUALITY)
            )
            and route.params
            and route.full_name not in POST_ONLY
        ):
            present = client.get(url_for(route, world))
            absent = client.get(url_for(route, world, missing=True))
            assert present.status_code == absent.status_code, route.full_name
            if present.status_code == 302:
                assert present["Location"].split("?")[0] == absent["Location"].split("?")[0]


@pytest.mark.django_db
def test_drafts_are_hidden_from_clinicians_but_shown_to_editors(client, world):
    url = reverse("guidelines:recommendation_detail", args=["tp-embolization-placeholder"])
    client.force_login(_person("clinician"))
    assert client.get(url).status_code == 404
    client.force_login(_person("editor"))
    assert client.get(url).status_code == 200


def test_every_route_has_an_expectation():
    for route in ROUTES:
        for persona in PERSONAS:
            assert expected(persona, route)


@pytest.mark.django_db
def test_the_view_on_site_shortcut_answers_404_for_a_model_without_rows(client):
    """The audit's combined events are a query, not a table: no object to show, never a 500."""
    client.force_login(_person("superuser"))
    events = ContentType.objects.get(app_label="pghistory", model="events")
    assert client.get(reverse("admin_object_shortcut", args=[events.pk, "1"])).status_code == 404
