"""Settings for Tumor board: one module, driven by environment variables.

Secure by default: DEBUG is off unless set, SECRET_KEY is required unless DEBUG
is on, hosts come from the environment, and the SECURE_* settings apply whenever
DEBUG is off. Every variable is documented in .env.example.

For local development the set-up writes a git-ignored .env (DEBUG on, a fresh
random SECRET_KEY); real environment variables always win over it.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from dotenv import load_dotenv
from pythonjsonlogger.core import RESERVED_ATTRS

from accounts.role_map import parse_role_map
from common import viewer
from config.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# TUMORBOARD_ENV_FILE names another file, or "none" to read no file at all.
_env_file = env_str("TUMORBOARD_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file.lower() != "none":
    load_dotenv(_env_file, override=False)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") if DEBUG else env_required("SECRET_KEY")
if DEBUG and not SECRET_KEY:
    # Development only: sessions do not survive a restart, which is harmless there.
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pghistory.admin",  # before django.contrib.admin, so its templates win
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "config",  # for its management commands (backup, restore)
    "common",
    "accounts",
    "documents",
    "guidelines",
    "trials",  # content like the guidelines: read by the case page, the pack and the record
    "cases",
    "liver",
    "meetings",
    "decisions",
    "quality",
    "interop",
    "api",
    "ninja",  # its docs page's templates and static files (served from here, no CDN)
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # The request's id (X-Request-ID), its JSON log line and its metrics (config/requestid.py).
    "config.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "accounts.middleware.HtmxLoginRequiredMiddleware",
    "accounts.middleware.RoleRequiredMiddleware",
    "accounts.middleware.LoginStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the user and URL of every change in the audit history.
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.requestid.context_processor",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL: the project-local cluster that
# scripts/pg.sh starts (unix socket in .pg/run, no password, no TCP port).
# Connections are kept for DATABASE_CONN_MAX_AGE seconds in production (a fixed number
# of gunicorn workers); the development server opens a thread per request, so there
# they are closed after each request instead of piling up until "too many clients".
# A kept connection is checked before each request uses it, so a database restart
# costs no request an error.
_database_url = env_str("DATABASE_URL")
_conn_max_age = env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60)
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=_conn_max_age, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "tumorboard",
            "USER": "postgres",
            "HOST": str(BASE_DIR / ".pg" / "run"),
            "PORT": "5432",
            "CONN_MAX_AGE": _conn_max_age,
            "CONN_HEALTH_CHECKS": True,
        }
    }
# The app runs under a role that does not own the tables (it cannot switch the triggers
# that keep signed records final off); migrations and restores run as the owner, whose
# credentials DATABASE_OWNER_URL gives: the same server and database as DATABASE_URL.
DATABASE_OWNER_URL = env_str("DATABASE_OWNER_URL")
if DATABASE_OWNER_URL:
    _owner = dj_database_url.parse(DATABASE_OWNER_URL)
    _same = ("HOST", "PORT", "NAME")
    if any(str(_owner.get(k) or "") != str(DATABASES["default"].get(k) or "") for k in _same):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_OWNER_URL must name the same server, port and database as DATABASE_URL "
            "(only the role and its password differ)."
        )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sessions end after SESSION_IDLE_MINUTES without a request (to the minute: see
# accounts.middleware.SlidingSessionMiddleware).
# The expiry moves on once a minute, so one minute would log out active users.
SESSION_IDLE_MINUTES = env_int(
    "SESSION_IDLE_MINUTES", 480, minimum=2, why=" (the expiry moves on once a minute)"
)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        # Only behind a reverse proxy that sets this header itself.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs go to standard error, one JSON object a line (LOG_FORMAT=json, the default when
# DEBUG is off) with time, level, logger, message, the request id and the user's id, and
# per request its view, route, status and duration (config/requestid.py); never a
# patient's name, an MRN, a query string or free text. LOG_FORMAT=text reads better
# in a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secrets in addresses (calendar links) never reach the log (config/log_filters.py):
    # on the loggers that name request paths, and on the handler for anything else.
    "filters": {
        "redact_secrets": {"()": "config.log_filters.RedactSecrets"},
        "request_context": {"()": "config.requestid.RequestContext"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "{levelname}{name}{message}{request_id}{user_id}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger"},
            # Django puts the request object on its records; its text holds the query string.
            "reserved_attrs": [*RESERVED_ATTRS, "request", "server_time", "taskName"],
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context", "redact_secrets"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_secrets"]},
        # (the development server's request lines, to the console like the rest)
        "django.server": {
            "handlers": ["console"],
            "filters": ["redact_secrets"],
            "propagate": False,
        },
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each page it lays out; meeting packs turn that into
        # progress, nobody needs it in the log.
        "weasyprint.progress": {"level": "WARNING", "propagate": False},
        # pikepdf says once per process that its logging is set up.
        "pikepdf": {"level": "WARNING"},
        # fontTools reports each table it prunes when WeasyPrint subsets a font.
        "fontTools": {"level": "WARNING"},
    },
}

# Background work (meeting packs) runs through Django's tasks API, queued in
# PostgreSQL: any number of `manage.py db_worker` processes, on any machine that
# reaches the database, take tasks from it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker renews a render's lease every quarter of this; a render whose lease ran
# out (its worker was killed) is shown as failed and can be made again.
HANDOUT_LEASE_SECONDS = env_int("HANDOUT_LEASE_SECONDS", 60, minimum=2)

# A case summary is rendered again only when something it shows changed; new ones are
# limited per user and minute. Handouts older than HANDOUT_RETENTION_DAYS (except
# the latest pack of each meeting) and read-log entries older than
# READ_LOG_RETENTION_DAYS are removed by `manage.py prune_records`.
CASE_SUMMARY_RENDERS_PER_MINUTE = env_int("CASE_SUMMARY_RENDERS_PER_MINUTE", 6, minimum=1)
# Liver metastases found within this many months of the primary's diagnosis (or before
# it) count as synchronous (liver domain fact sheet §2: definitions range from "at
# diagnosis" to 12 months; 6 is a common convention).
SYNCHRONOUS_CUTOFF_MONTHS = env_int("SYNCHRONOUS_CUTOFF_MONTHS", 6, minimum=0)
HANDOUT_RETENTION_DAYS = env_int("HANDOUT_RETENTION_DAYS", 365, minimum=1)
# FHIR: the identifier system of the hospital's patient numbers (MRN) in exported and
# imported bundles; set it to the hospital's own URI.
FHIR_MRN_SYSTEM = env_str("FHIR_MRN_SYSTEM") or "urn:tumorboard:mrn"
# JSON API: requests a minute per user (tokens and session together), per server
# process (the limit is kept in each process's memory).
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120, minimum=1)
# API tokens expire: a new one is valid for API_TOKEN_DAYS unless its maker chooses fewer
# or more days, never more than API_TOKEN_MAX_DAYS. An expired token answers 401.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1, maximum=3650)
API_TOKEN_DAYS = env_int(
    "API_TOKEN_DAYS", min(90, API_TOKEN_MAX_DAYS), minimum=1, maximum=API_TOKEN_MAX_DAYS,
    why=" (at most API_TOKEN_MAX_DAYS)",
)  # fmt: skip
# Calendar feeds: how long a meeting lasts in a calendar (boards name no end time), and
# the domain part of each meeting's stable UID (set it once; changing it duplicates
# every meeting in subscribed calendars).
CALENDAR_MEETING_MINUTES = env_int("CALENDAR_MEETING_MINUTES", 60, minimum=5)
# Backup manifests are signed with this key (config/backup.py); SECRET_KEY when unset. Keep
# it with the app's secrets, never beside the backups; set it to keep old backups
# restorable after SECRET_KEY is rotated.
BACKUP_SIGNING_KEY = env_str("BACKUP_SIGNING_KEY")
# Each signed decision also carries a keyed hash (HMAC-SHA256 of its SHA-256) made with
# this key, which lives in the environment and never in the database: whoever can write
# to the database (even its owner, who can switch the protecting triggers off) cannot
# recompute it, so `manage.py verify_decisions` finds a record changed and re-hashed.
# Required in production (at least 32 characters); DECISION_SIGNING_OLD_KEYS (comma
# separated) keeps records signed before a rotation verifiable.
DECISION_SIGNING_KEY = (
    env_str("DECISION_SIGNING_KEY") if DEBUG else env_required("DECISION_SIGNING_KEY")
)
if DEBUG and not DECISION_SIGNING_KEY:
    DECISION_SIGNING_KEY = "development-only-decision-key:" + SECRET_KEY
DECISION_SIGNING_OLD_KEYS = env_list("DECISION_SIGNING_OLD_KEYS")
if _short := [k for k in [DECISION_SIGNING_KEY, *DECISION_SIGNING_OLD_KEYS] if len(k) < 32]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DECISION_SIGNING_KEY (and each of DECISION_SIGNING_OLD_KEYS) must be at least 32 "
        "characters; make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
# A decision is signed, and a letter made, only once its meeting has started; this many
# minutes early are allowed for clocks that differ (a workstation's, the server's).
MEETING_CLOCK_SKEW_MINUTES = env_int("MEETING_CLOCK_SKEW_MINUTES", 10, minimum=0, maximum=120)
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN") or (
    ALLOWED_HOSTS[0] if ALLOWED_HOSTS and ALLOWED_HOSTS[0] != "*" else "tumorboard.invalid"
)
READ_LOG_RETENTION_DAYS = env_int("READ_LOG_RETENTION_DAYS", 730, minimum=1)
# Readiness: the coordinator's list of cases not ready, and the notice to the clinician
# who presents one, cover the meetings starting within this many days (local policy;
# 7 is an example).
READINESS_NOTICE_DAYS = env_int("READINESS_NOTICE_DAYS", 7, minimum=1, maximum=60)
# The hospital's image viewer (common/viewer.py): a URL template with {study_uid} and/or
# {accession}; each imaging timepoint with those identifiers gets an "Open images" link.
IMAGE_VIEWER_URL = env_str("IMAGE_VIEWER_URL", "")
if _viewer_problems := viewer.problems(IMAGE_VIEWER_URL, debug=DEBUG):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"IMAGE_VIEWER_URL={IMAGE_VIEWER_URL!r}: "
                               + "; ".join(_viewer_problems) + ".")  # fmt: skip

# Attachments (reports and key images, ``cases.attachments``): stored through Django's
# storage API (STORAGES["default"]: files under MEDIA_ROOT, never served from a public URL;
# docs/running.md shows an object store), at most ATTACHMENT_MAX_MB each and
# ATTACHMENT_CASE_MAX_MB per case. With CLAMAV_SOCKET (or CLAMAV_HOST and CLAMAV_PORT)
# each file is scanned by clamd first; a file that cannot be scanned is refused.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
ATTACHMENT_MAX_MB = env_int("ATTACHMENT_MAX_MB", 20, minimum=1, maximum=500)
ATTACHMENT_CASE_MAX_MB = env_int("ATTACHMENT_CASE_MAX_MB", 200, minimum=1)
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET")
CLAMAV_HOST = env_str("CLAMAV_HOST")
CLAMAV_PORT = env_int("CLAMAV_PORT", 3310, minimum=1, maximum=65535)
CLAMAV_TIMEOUT_SECONDS = env_int("CLAMAV_TIMEOUT_SECONDS", 30, minimum=1)
# Uploads larger than this are written to a temporary file while they arrive.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# E-mail notices (decisions/notify.py): through the SMTP server IT names (EMAIL_HOST and
# the rest); in development, without EMAIL_HOST, printed to the console. Each notice
# carries a link under SITE_URL (the address users open the app at) and no patient names.
SITE_URL = env_str("SITE_URL", "http://localhost:8000" if DEBUG else "").rstrip("/")
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tumorboard@localhost")

# Paper for printed handouts: A4 (default) or letter.
HANDOUT_PAPER_SIZE = env_str("HANDOUT_PAPER_SIZE", "A4")
if HANDOUT_PAPER_SIZE not in ("A4", "letter"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"HANDOUT_PAPER_SIZE={HANDOUT_PAPER_SIZE!r}: use A4 or letter.")

# Demo accounts (manage.py seed_demo) exist only when this is on; it is on with DEBUG.
DEMO_MODE = DEBUG
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins first
    "accounts.backends.DemoAwareBackend",
]

# Single sign-on with the hospital's OpenID Connect provider (accounts/oidc.py), on when
# OIDC_RP_CLIENT_ID is set: the provider's endpoints (from its
# /.well-known/openid-configuration), the client's id and secret, the claim that holds the
# person's groups or roles and the map from those to the app's roles (JSON). Local
# accounts stay for break-glass use.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_ROLE_CLAIM = env_str("OIDC_ROLE_CLAIM", "groups")
OIDC_ROLE_MAP = parse_role_map("OIDC_ROLE_MAP", env_str("OIDC_ROLE_MAP"))
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your hospital account")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = True
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if OIDC_ENABLED:
    _missing = [name for name in ("OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT",
                                  "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT",
                                  "OIDC_OP_JWKS_ENDPOINT") if not globals()[name]]  # fmt: skip
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "With OIDC_RP_CLIENT_ID set, set these too: " + ", ".join(_missing) + "."
        )
    AUTHENTICATION_BACKENDS.insert(1, "accounts.oidc.HospitalOIDCBackend")

# Sign-in with the hospital's directory (LDAP or Active Directory, accounts/ldap.py), on
# when LDAP_SERVER_URI is set: the service account that searches, where people and groups
# are, how a username is found, and the map from group DNs to the app's roles (JSON).
LDAP_SERVER_URI = env_str("LDAP_SERVER_URI")
LDAP_ENABLED = bool(LDAP_SERVER_URI)
LDAP_ROLE_MAP = parse_role_map("LDAP_ROLE_MAP", env_str("LDAP_ROLE_MAP"))
LDAP_ID_ATTRIBUTE = env_str("LDAP_ID_ATTRIBUTE", "entryUUID")
if LDAP_ENABLED:
    import ldap
    from django_auth_ldap.config import (
        GroupOfNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
    )

    AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
    AUTH_LDAP_BIND_DN = env_str("LDAP_BIND_DN")
    AUTH_LDAP_BIND_PASSWORD = env_str("LDAP_BIND_PASSWORD")
    AUTH_LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env_required("LDAP_USER_SEARCH_BASE"), ldap.SCOPE_SUBTREE,
        env_str("LDAP_USER_FILTER", "(uid=%(user)s)"), attrlist=["*", "+"],
    )  # fmt: skip
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        env_required("LDAP_GROUP_SEARCH_BASE"), ldap.SCOPE_SUBTREE, "(objectClass=*)"
    )
    _group_type = env_str("LDAP_GROUP_TYPE", "groupOfNames")
    if _group_type not in ("groupOfNames", "activeDirectory"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE={_group_type!r}: use groupOfNames or activeDirectory."
        )
    AUTH_LDAP_GROUP_TYPE = (
        GroupOfNamesType() if _group_type == "groupOfNames" else NestedActiveDirectoryGroupType()
    )
    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: 10, ldap.OPT_REFERRALS: 0}
    AUTHENTICATION_BACKENDS.insert(1, "accounts.ldap.HospitalLDAPBackend")

# Administrators and superusers who log in with a local password confirm it with a code
# from an authenticator app (TOTP, accounts/two_factor.py) or a recovery code; others may
# choose to. Not an environment variable: it stays on (the tests turn it off where they
# test something else). Demo accounts in demo mode are spared it.
TWO_FACTOR_FOR_ADMINISTRATORS = True
OTP_TOTP_ISSUER = "Tumor board"

# Repeated failed logins lock that username from that address for a while.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The number of reverse proxies in front of the app; 0: X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# The audit's list of every change (superusers only), refusing filters that name no record.
PGHISTORY_ADMIN_CLASS = "accounts.admin.AuditEventsAdmin"

# Monitoring (docs/running.md): /health/live and /health/ready need no login; /metrics
# answers only to "Authorization: Bearer METRICS_TOKEN" and does not exist without it.
# The readiness check reports a task queue whose oldest task has waited longer than
# HEALTH_TASK_MAX_WAIT_SECONDS (as "degraded": the web server stays in service).
METRICS_TOKEN = env_str("METRICS_TOKEN")
HEALTH_TASK_MAX_WAIT_SECONDS = env_int("HEALTH_TASK_MAX_WAIT_SECONDS", 600, minimum=1)
# Probes ask over plain HTTP on the internal address: never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]

# Error reports to a Sentry (or GlitchTip) server when SENTRY_DSN is set, scrubbed of
# patient data first (config/errors.py); SENTRY_ENVIRONMENT names the installation.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from config import errors

    errors.init(SENTRY_DSN, env_str("SENTRY_ENVIRONMENT", "production"), "tumorboard")

# Content-Security-Policy: our own scripts, styles, fonts and images only; no
# inline code, no third-party origins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
