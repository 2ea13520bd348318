"""Two-factor authentication: required for administrators and superusers with a local
password, optional for others, with recovery codes; the password's lockout still holds.

The codes are computed here from the key the page shows, by RFC 6238 written out again
(HMAC-SHA1, 30-second steps, six digits), not by django-otp."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from accounts import roles

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_FOR_ADMINISTRATORS = True


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _log_in(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _administrator() -> User:
    user = User.objects.create_user("admin1", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


def _set_up(client) -> tuple[str, list[str]]:
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert 'src="data:image/svg+xml' in html  # the QR code, inline (the CSP allows data:)
    wrong = client.post(
        reverse("two_factor"), {"code": "000000" if totp(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    at_once = client.post(reverse("two_factor"), {"code": totp(secret)})
    assert "Too many wrong codes in a row: wait 1 seconds" in at_once.content.decode()
    time.sleep(1.1)  # django-otp's throttle: 1 s after one failure, doubling after each
    done = client.post(reverse("two_factor"), {"code": totp(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def test_an_administrator_sets_it_up_at_the_first_login_and_uses_it_after(client):
    _administrator()
    assert _log_in(client, "admin1").status_code == 302
    # Every page leads to the set-up until it is done; the admin site too.
    assert client.get(reverse("cases:case_list"))["Location"] == reverse("two_factor")
    assert client.get("/admin/")["Location"] == reverse("two_factor")
    secret, codes = _set_up(client)
    assert client.get("/admin/").status_code == 200

    client.post(reverse("logout"))
    assert _log_in(client, "admin1").status_code == 302
    assert client.get("/admin/")["Location"] == reverse("two_factor")
    page = client.get(reverse("two_factor")).content.decode()
    assert "Enter the six digits" in page and "secret" not in page  # the key is never shown again
    bad = client.post(reverse("two_factor"), {"code": "12345x"})
    assert bad.status_code == 400 and bad.context["form"].errors["code"]
    time.sleep(1.1)
    # The set-up's code is spent (a code counts once): the app's next one, within the
    # one step of clock drift allowed.
    ok = client.post(reverse("two_factor"), {"code": totp(secret, time.time() + 30)})
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_lets_in_once(client):
    _administrator()
    _log_in(client, "admin1")
    _, codes = _set_up(client)
    for attempt in (1, 2):
        client.post(reverse("logout"))
        _log_in(client, "admin1")
        answer = client.post(reverse("two_factor"), {"code": codes[0]})
        if attempt == 1:
            assert answer.status_code == 302
            assert client.get("/admin/").status_code == 200
        else:
            assert answer.status_code == 400  # used already
            assert client.get("/admin/")["Location"] == reverse("two_factor")


def test_a_superuser_needs_it_too_and_a_clinician_may_choose_it(client):
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    _log_in(client, "root")
    assert client.get("/admin/")["Location"] == reverse("two_factor")
    client.post(reverse("logout"))

    clinician = User.objects.create_user("doc", password=PASSWORD)
    clinician.groups.add(Group.objects.get(name=roles.CLINICIAN))
    _log_in(client, "doc")
    assert client.get(reverse("cases:case_list")).status_code == 200  # not required
    secret, _ = _set_up(client)  # chosen
    client.post(reverse("logout"))
    _log_in(client, "doc")
    assert client.get(reverse("cases:case_list"))["Location"] == reverse("two_factor")
    assert (
        client.post(reverse("two_factor"), {"code": totp(secret, time.time() + 30)}).status_code
        == 302
    )


def test_the_password_lockout_still_applies(client, settings):
    _administrator()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "admin1", "wrong password!")
    locked = _log_in(client, "admin1")  # the right password, too late
    assert locked.status_code != 302 or "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302 and "login" in client.get("/admin/")["Location"]


def test_the_code_of_rfc_6238_matches_its_published_test_vector():
    # RFC 6238 appendix B: the ASCII key "12345678901234567890", T = 59 s -> 94287082 (8
    # digits); six digits: 287082.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"


def test_a_superuser_resets_a_lost_second_factor_and_an_administrator_cannot(client, settings):
    from accounts.models import AccountChange

    admin = _administrator()
    _log_in(client, "admin1")
    _set_up(client)
    client.post(reverse("logout"))
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    settings.TWO_FACTOR_FOR_ADMINISTRATORS = False  # (the acting accounts' own: not the point)
    client.force_login(root)
    changelist = reverse("admin:auth_user_changelist")
    actions = client.get(changelist).context["action_form"].fields["action"].choices
    assert "reset_two_factor" in dict(actions)
    client.post(changelist, {"action": "reset_two_factor", "_selected_action": [admin.pk]})
    change = AccountChange.objects.filter(account=admin, kind="two_factor").get()
    assert change.changed_by == root
    client.post(reverse("logout"))
    settings.TWO_FACTOR_FOR_ADMINISTRATORS = True
    _log_in(client, "admin1")
    assert "Turn on two-factor" in client.get(reverse("two_factor")).content.decode()  # anew
    other = User.objects.create_user("admin2", password=PASSWORD, is_staff=True)
    other.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    settings.TWO_FACTOR_FOR_ADMINISTRATORS = False
    client.force_login(other)
    actions = client.get(changelist).context["action_form"].fields["action"].choices
    assert "reset_two_factor" not in dict(actions)
