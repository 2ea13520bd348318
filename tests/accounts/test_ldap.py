"""Sign-in with the hospital's directory, against a real OpenLDAP server (Debian's slapd)
started by the test with a small directory: a service account, two people, two groups."""

from __future__ import annotations

import shutil
import subprocess
import time

import ldap
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

from accounts.models import AccountChange, ExternalAccount
from tests.smtp import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.processes]

BASE = "dc=hospital,dc=example"
ROOT_DN, ROOT_PW = f"cn=admin,{BASE}", "root-secret"
SERVICE_DN, SERVICE_PW = f"cn=tumorboard,ou=services,{BASE}", "service-secret"
CLINICIANS = f"cn=tb-clinicians,ou=groups,{BASE}"
COORDINATORS = f"cn=tb-coordinators,ou=groups,{BASE}"

DIRECTORY = f"""dn: {BASE}
objectClass: dcObject
objectClass: organization
dc: hospital
o: St Elsewhere

dn: ou=people,{BASE}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{BASE}
objectClass: organizationalUnit
ou: groups

dn: ou=services,{BASE}
objectClass: organizationalUnit
ou: services

dn: {SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: tumorboard
userPassword: {SERVICE_PW}

dn: uid=alice,ou=people,{BASE}
objectClass: inetOrgPerson
uid: alice
cn: Alice Surgeon
givenName: Alice
sn: Surgeon
mail: alice@hospital.example
userPassword: alice-directory-pw

dn: uid=admin,ou=people,{BASE}
objectClass: inetOrgPerson
uid: admin
cn: Not The Superuser
sn: Imposter
userPassword: imposter-pw

dn: {CLINICIANS}
objectClass: groupOfNames
cn: tb-clinicians
member: uid=alice,ou=people,{BASE}
member: uid=admin,ou=people,{BASE}

dn: {COORDINATORS}
objectClass: groupOfNames
cn: tb-coordinators
member: {SERVICE_DN}
"""


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    binary = shutil.which("slapd") or "/usr/sbin/slapd"
    if not shutil.which("slapadd") and not shutil.which("/usr/sbin/slapadd"):
        raise RuntimeError(
            "slapd is needed (apt-get install slapd ldap-utils): run scripts/setup.sh"
        )
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    config = folder / "slapd.conf"
    config.write_text(
        "\n".join(
            f"include /etc/ldap/schema/{name}.schema"
            for name in ("core", "cosine", "inetorgperson")
        )
        + f"\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\npidfile {folder}/slapd.pid\n"
        f'database mdb\nsuffix "{BASE}"\nrootdn "{ROOT_DN}"\nrootpw {ROOT_PW}\n'
        f"directory {folder}/data\n"
    )
    (folder / "directory.ldif").write_text(DIRECTORY)
    subprocess.run(["slapadd", "-f", str(config), "-l", str(folder / "directory.ldif")],
                   check=True, capture_output=True)  # fmt: skip
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "-f", str(config), "-h", uri + "/", "-d", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = ldap.initialize(uri)
            connection.simple_bind_s(ROOT_DN, ROOT_PW)
            break
        except ldap.SERVER_DOWN:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"slapd did not start: {process.stderr.read()[-2000:]}"
                ) from None
            time.sleep(0.1)
    yield {"uri": uri, "admin": connection}
    process.terminate()
    process.wait(10)


@pytest.fixture
def directory(settings, slapd):
    settings.LDAP_ENABLED = True
    settings.AUTH_LDAP_SERVER_URI = slapd["uri"]
    settings.AUTH_LDAP_BIND_DN, settings.AUTH_LDAP_BIND_PASSWORD = SERVICE_DN, SERVICE_PW
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(
        f"ou=people,{BASE}", ldap.SCOPE_SUBTREE, "(uid=%(user)s)", attrlist=["*", "+"]
    )
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        f"ou=groups,{BASE}", ldap.SCOPE_SUBTREE, "(objectClass=*)"
    )
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    settings.LDAP_ROLE_MAP = {CLINICIANS: "clinician", COORDINATORS: "coordinator"}
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "accounts.ldap.HospitalLDAPBackend",
        "accounts.backends.DemoAwareBackend",
    ]
    yield slapd
    # The directory as the module started it, for the next test.
    slapd["admin"].modify_s(CLINICIANS, [(ldap.MOD_REPLACE, "member", [
        f"uid=alice,ou=people,{BASE}".encode(), f"uid=admin,ou=people,{BASE}".encode()])])  # fmt: skip


def _log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_directory_user_logs_in_with_the_directory_password_and_gets_the_mapped_role(
    client, directory
):
    assert _log_in(client, "alice", "alice-directory-pw").status_code == 302
    user = User.objects.get(username="alice")
    link = ExternalAccount.objects.get(user=user)
    assert link.source == "ldap" and len(link.subject) == 36  # the entry's entryUUID
    assert (user.first_name, user.last_name, user.email) == (
        "Alice",
        "Surgeon",
        "alice@hospital.example",
    )
    assert not user.has_usable_password()  # the directory keeps it
    assert set(user.groups.values_list("name", flat=True)) == {"clinician"}
    assert client.get(reverse("cases:case_list")).status_code == 200
    created = AccountChange.objects.get(account=user, kind="created")
    assert created.changed_by_name == "the directory (LDAP)"


def test_a_wrong_directory_password_is_refused_and_counts_towards_the_lockout(
    client, directory, settings
):
    answers = [
        _log_in(client, "alice", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert _log_in(client, "alice", "alice-directory-pw").status_code == 429  # locked out
    assert "_auth_user_id" not in client.session


def test_removed_from_the_group_the_role_goes_at_the_next_login(client, directory):
    _log_in(client, "alice", "alice-directory-pw")
    client.post(reverse("logout"))
    directory["admin"].modify_s(
        CLINICIANS, [(ldap.MOD_DELETE, "member", [f"uid=alice,ou=people,{BASE}".encode()])]
    )
    assert _log_in(client, "alice", "alice-directory-pw").status_code == 302
    user = User.objects.get(username="alice")
    assert not user.groups.exists()
    assert client.get(reverse("cases:case_list")).status_code == 403
    assert (
        AccountChange.objects.filter(account=user, kind="roles").latest("pk").detail
        == "Removed: clinician."
    )


def test_a_directory_user_never_becomes_the_local_account_of_the_same_name(client, directory):
    local = User.objects.create_superuser("admin", "root@example.org", "correct horse battery")
    assert _log_in(client, "admin", "imposter-pw").status_code == 302
    signed_in = User.objects.get(pk=client.session["_auth_user_id"])
    assert signed_in != local and signed_in.username == "admin-2"
    assert not signed_in.is_superuser and not signed_in.is_staff
    local.refresh_from_db()
    assert local.check_password("correct horse battery") and local.is_superuser
    # And the local superuser's own password still works (break-glass).
    client.post(reverse("logout"))
    assert _log_in(client, "admin", "correct horse battery").status_code == 302
    assert int(client.session["_auth_user_id"]) == local.pk
