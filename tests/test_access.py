"""Who may open what: every URL pattern, for anonymous users, each role and a superuser.

The URLs come from the resolver (tests/urlwalk.py), so a new view cannot be
forgotten: a route without an expectation here fails the test.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from accounts import roles
from meetings.models import Attendance, Handout
from tests.factories import make_case, make_meeting
from tests.urlwalk import Route, routes

PERSONAS = (
    "anonymous",
    "outsider",
    "clinician",
    "coordinator",
    "editor",
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
}


@pytest.fixture
def world(db):
    case = make_case()
    meeting = make_meeting([case])
    attendance = Attendance.objects.create(meeting=meeting, name="Dr. A", specialty="Surgery")
    handout = Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="done", pdf=b"%PDF-1.7"
    )
    return {
        "case": case.pk,
        "meeting": meeting.pk,
        "item": meeting.agenda_items.get().pk,
        "attendance": attendance.pk,
        "handout": handout.pk,
    }


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
        "administrator": roles.ADMINISTRATOR,
    }.get(persona)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.is_staff = persona in ("editor", "administrator")
    user.save()
    return user


def url_for(route: Route, world: dict, missing: bool = False) -> str:
    """A concrete URL for a route, naming real objects (or missing ones)."""
    if route.namespace == "admin" or not route.params:
        return route.sample_path
    kwargs = {}
    for param in route.params:
        if param == "slug":
            kwargs[param] = "no-such-recommendation" if missing else "pc-counseling"
            continue
        key = {
            "item_pk": "item",
            "attendance_pk": "attendance",
        }.get(param)
        if key is None:
            if route.namespace == "cases" or route.name == "case_summary_pdf":
                key = "case"
            elif route.name.startswith("handout_"):
                key = "handout"
            else:
                key = "meeting"
        kwargs[param] = 999_999 if missing else world[key]
    return reverse(route.full_name, kwargs=kwargs)


def expected(persona: str, route: Route) -> set[int]:
    """The status codes a persona may get for a GET of the route."""
    name, path = route.full_name, route.sample_path
    if name == "favicon":
        return {302}  # public, like the login page
    if name == "login" or (name == "admin:login" and persona == "anonymous"):
        return {200}
    if name == "admin:login":
        return {403} if persona == "outsider" else {200, 302}
    if persona == "anonymous":
        return {302}
    if name == "logout":
        return {405}  # logging out takes a POST
    if persona == "outsider":
        return {403}
    if route.namespace == "admin":
        staff = persona in ("editor", "administrator", "superuser")
        if not staff:
            return {302}  # not staff: sent to the admin's own login
        if name == "admin:logout":
            return {405}
        if path in (
            "/admin/",
            "/admin/jsi18n/",
            "/admin/password_change/",
            "/admin/password_change/done/",
        ):
            return {200}
        if persona == "superuser":
            return {200, 302, 403, 404}  # 403: add views switched off for records
        allowed = {
            "editor": ("/admin/guidelines/", "/admin/pghistory/"),
            "administrator": ("/admin/auth/", "/admin/guidelines/", "/admin/pghistory/"),
        }[persona]
        if path.startswith(allowed):
            return {200, 302, 403, 404}  # 403: a change a read-only role may not make
        return {302, 403, 404}  # 302: the admin's redirect for a missing or bare object URL
    if name in POST_ONLY:
        return {405}
    if name == "home":
        return {302}
    if route.namespace == "guidelines":
        return {200}
    if route.namespace == "cases" or name == "meetings:case_summary_pdf":
        return {200} if persona in CASE_ROLES else {404}
    if name in ("meetings:meeting_create", "meetings:meeting_edit"):
        return {200} if persona in MEETING_CHANGERS else {404}
    if route.namespace == "meetings":
        if persona not in CASE_ROLES:
            return {404}
        return {302} if name == "meetings:handout_status" else {200}
    raise AssertionError(f"no expectation for {name} ({path}): add one to tests/test_access.py")


ROUTES = routes()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_gives_each_persona_the_expected_outcome(client, world, persona):
    user = _person(persona)
    if user:
        client.force_login(user)
    failures = []
    for route in ROUTES:
        url = url_for(route, world)
        status = client.get(url).status_code
        if status not in expected(persona, route):
            failures.append(
                f"{route.full_name} {url}: {status}, expected {sorted(expected(persona, route))}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "outsider", "editor", "administrator"])
def test_an_unauthorised_request_cannot_tell_whether_an_object_exists(client, world, persona):
    user = _person(persona)
    if user:
        client.force_login(user)
    for route in ROUTES:
        if (
            route.namespace in ("cases", "meetings")
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
