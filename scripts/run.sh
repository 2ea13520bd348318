#!/usr/bin/env bash
# Development: the web server and one task worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
.venv/bin/python manage.py db_worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Task worker started (pid $worker). Open http://$host:$port/ and log in with a demo account."
.venv/bin/python manage.py runserver "$host:$port"
