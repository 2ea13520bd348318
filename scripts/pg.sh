#!/usr/bin/env bash
# Project-local PostgreSQL cluster for development and tests.
#
#   scripts/pg.sh start    create the cluster on first use, start it, create the database
#   scripts/pg.sh stop     stop it (data is kept in .pg/data)
#   scripts/pg.sh status
#   scripts/pg.sh psql ARGS  psql on the cluster as its superuser
#   scripts/pg.sh app-url    the DATABASE_URL of the app's role (tumorboard_app)
#
# The cluster listens only on a unix socket inside .pg/run (no TCP port), so it
# can never clash with a PostgreSQL server already running on the machine.
# PostgreSQL refuses to run as root; when this script runs as root the server
# runs as the 'postgres' system user instead.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
pgdir="$repo/.pg"
dbname=tumorboard
dbuser=postgres
port=5432

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bindir() {
  local d
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return; fi
  done
  d=$(command -v initdb 2>/dev/null || true)
  [ -n "$d" ] && dirname "$d"
}

bindir=$(find_bindir)
[ -n "$bindir" ] || die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them: apt-get install postgresql (or set DATABASE_URL to use an existing server)."

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

prepare_dir() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' system user to run the server (apt-get install postgresql creates it)."
    if [ ! -e "$pgdir" ]; then
      mkdir -p "$pgdir"
      chown postgres: "$pgdir"
      if ! runuser -u postgres -- test -w "$pgdir"; then
        # The checkout lies below a directory the postgres user cannot enter
        # (e.g. /root). Keep the cluster in /var/tmp and link it here instead.
        rmdir "$pgdir"
        local elsewhere
        elsewhere="/var/tmp/tumorboard-pg-$(printf '%s' "$repo" | sha1sum | cut -c1-12)"
        mkdir -p "$elsewhere"
        chown postgres: "$elsewhere"
        ln -s "$elsewhere" "$pgdir"
      fi
    fi
  else
    mkdir -p "$pgdir"
  fi
}

is_running() {
  [ -f "$pgdir/data/PG_VERSION" ] && as_server_user "$bindir/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1
}

start() {
  prepare_dir
  local sock="$pgdir/run/.s.PGSQL.$port"
  [ ${#sock} -lt 100 ] || die "socket path $sock is too long for a unix socket; move the checkout to a shorter path or set DATABASE_URL."
  if [ ! -f "$pgdir/data/PG_VERSION" ]; then
    echo "Creating the project-local PostgreSQL cluster in .pg/data"
    as_server_user mkdir -p "$pgdir/run"
    as_server_user "$bindir/initdb" -D "$pgdir/data" -U "$dbuser" --auth=trust -E UTF8 --locale=C >"$pgdir/initdb.log" 2>&1 \
      || die "initdb failed; see $pgdir/initdb.log"
    as_server_user tee -a "$pgdir/data/postgresql.conf" >/dev/null <<CONF

# Project-local development cluster (scripts/pg.sh)
listen_addresses = ''
unix_socket_directories = '$pgdir/run'
port = $port
synchronous_commit = off
max_connections = 50
CONF
  fi
  if ! is_running; then
    as_server_user mkdir -p "$pgdir/run"
    as_server_user "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 start >/dev/null \
      || die "the server did not start; see $pgdir/server.log"
  fi
  if ! "$bindir/psql" -h "$pgdir/run" -p "$port" -U "$dbuser" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1; then
    "$bindir/createdb" -h "$pgdir/run" -p "$port" -U "$dbuser" "$dbname"
  fi
}

stop() {
  if is_running; then
    as_server_user "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null
    echo "Stopped the project-local PostgreSQL cluster."
  else
    echo "The project-local PostgreSQL cluster is not running."
  fi
}

case "${1:-}" in
  start) start ;;
  psql) shift; "$bindir/psql" -h "$pgdir/run" -p "$port" -U "$dbuser" -d postgres "$@" ;;
  app-url) printf 'postgres://tumorboard_app@%s:%s/%s\n' \
      "$(printf '%s' "$pgdir/run" | sed 's|/|%2F|g')" "$port" "$dbname" ;;
  stop) stop ;;
  status) if is_running; then echo "running (socket in $pgdir/run)"; else echo "stopped"; exit 3; fi ;;
  *) die "usage: scripts/pg.sh start|stop|status|psql [ARGS]|app-url" ;;
esac
