#!/usr/bin/env bash
# One idempotent set-up for `make run` and `make test`:
#   system packages -> .venv -> .env -> PostgreSQL -> migrations -> content -> demo accounts.
# Each step checks first and does nothing when things are already right, so a
# second run takes a few seconds.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
python=${PYTHON:-python3}
venv="$repo/.venv"

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- 1. System packages -------------------------------------------------------
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

command -v "$python" >/dev/null || die "$python not found. Install Python 3.11 or newer (apt-get install python3 python3-venv)."
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed; $python is $("$python" -V 2>&1)."
"$python" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ -z "${DATABASE_URL:-}" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
fi
# WeasyPrint renders with Pango (which brings HarfBuzz and fontconfig).
have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
# python-ldap (sign-in with the hospital's directory) compiles against OpenLDAP and SASL.
[ -f /usr/include/ldap.h ] || missing+=(libldap2-dev)
[ -f /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
# The browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
if [ "${SETUP_FOR:-test}" = test ]; then
  command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Printed documents are read back by an independent reader: poppler's pdftotext; CSV
  # exports are opened by a real spreadsheet program: LibreOffice Calc.
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
  # Uploads are scanned by a real ClamAV daemon in the tests (with a test signature made
  # by sigtool: the signature database cannot be downloaded here).
  [ -x /usr/sbin/clamd ] || command -v clamd >/dev/null || missing+=(clamav-daemon)
  command -v sigtool >/dev/null || missing+=(clamav)
  # Single sign-on is tested against a real OpenID provider (oidc-provider, from npm).
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  # The directory sign-in is tested against a real OpenLDAP server; the deployment test
  # puts Debian's nginx in front of gunicorn.
  [ -x /usr/sbin/slapd ] || missing+=(slapd)
  command -v ldapmodify >/dev/null || missing+=(ldap-utils)
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing system packages. Install them, then run this again:
    sudo apt-get install ${missing[*]}"
  fi
fi

# --- 2. Virtual environment ---------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
  say "Creating .venv"
  "$python" -m venv "$venv"
fi
# Every package, and every package they need, pinned with its hashes (requirements-dev.lock,
# made by pip-compile from requirements-dev.txt: docs/running.md, Upgrades): pip refuses
# any file whose hash differs.
stamp="$venv/.requirements.sha"
want=$(cat requirements-dev.lock | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "Installing pinned Python packages (hashes checked)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r requirements-dev.lock
  echo "$want" >"$stamp"
fi

# The tests' OpenID provider (tests/oidc), as its lock file pins it.
if [ "${SETUP_FOR:-test}" = test ]; then
  lock_stamp=tests/oidc/node_modules/.lock.sha
  want_lock=$(sha256sum tests/oidc/package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$lock_stamp" 2>/dev/null)" != "$want_lock" ]; then
    say "Installing the tests' OpenID provider (npm ci in tests/oidc)"
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want_lock" >"$lock_stamp"
  fi
fi

# --- 3. Local settings ------------------------------------------------------------
if [ ! -f .env ]; then
  say "Writing .env for local development (DEBUG on, fresh SECRET_KEY)"
  key=$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
  umask 077
  cat >.env <<ENV
# Local development settings written by scripts/setup.sh. Not for production:
# production sets real environment variables (see .env.example).
DEBUG=1
SECRET_KEY=$key
ALLOWED_HOSTS=127.0.0.1,localhost
ENV
fi

# --- 4. PostgreSQL ------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  scripts/pg.sh start
  # The app's own role, which owns no table (deploy/postgres-roles.sql): `make run` serves
  # as it, as production does; migrations here run as the cluster's superuser.
  scripts/pg.sh psql -q -v owner=postgres -v app=tumorboard_app -v db=tumorboard \
    -f deploy/postgres-roles.sql >/dev/null
fi

# --- 5. Schema, content, demo accounts ----------------------------------------
manage() { "$venv/bin/python" manage.py "$@"; }
manage migrate --noinput -v 0
manage load_content  # upgrades the library, leaving what editors changed (see docs/using.md, Guideline content)
manage seed_demo --if-demo-mode
manage lay_out_ahead -v 0 > /dev/null  # the workers lay out what upcoming packs will print
