#!/usr/bin/env bash
# Development: the web server and one task worker together; Ctrl-C stops both.
# The worker is started again if it stops (it already waits out database outages).
set -euo pipefail
cd "$(dirname "$0")/.."
# Served as the app's role, which owns no table (as in production), unless DATABASE_URL
# names another database.
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(scripts/pg.sh app-url)
  export DATABASE_URL
fi
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
(
  child=""
  trap 'kill "$child" 2>/dev/null; exit 0' INT TERM
  while true; do
    .venv/bin/python manage.py db_worker &
    child=$!
    wait "$child" || true
    echo "Task worker stopped; starting it again in 2 s." >&2
    sleep 2
  done
) &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Task worker started (restarted if it stops). Open http://$host:$port/ and log in with a demo account."
.venv/bin/python manage.py runserver "$host:$port"
