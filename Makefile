# Tumor board: the two commands are `make run` and `make test`.
.DEFAULT_GOAL := help
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test test-search test-fast stop lint format migrations-check bench backup restore

help:
	@echo "make run               set up, then serve the app with demo data on http://$(HOST):$(PORT)"
	@echo "make test              set up, then run the whole test suite on PostgreSQL"
	@echo "make test-fast         the inner loop: the suite without PDFs, browsers and processes"
	@echo "make test-search       the long property-based searches (printed cases; random)"
	@echo "make stop              stop the project-local PostgreSQL cluster"
	@echo "make lint              ruff check and ruff format --check"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make bench             run the benchmarks under bench/ and print their figures"
	@echo "make backup            back up the database to backups/ (with a checksummed manifest)"
	@echo "make restore FILE=...  restore a backup into an empty database"

setup:
	@scripts/setup.sh

run:
	@SETUP_FOR=run scripts/setup.sh
	@HOST=$(HOST) PORT=$(PORT) scripts/run.sh

# The suite runs on two processes (each with its own test database); the tests that
# stop the shared PostgreSQL cluster run alone afterwards.
test: setup
	$(PY) -m pytest -n 2 -m "not serial and not search"
	$(PY) -m pytest -m serial

# The long property-based searches (Hypothesis, random each run): printed cases.
test-search: setup
	$(PY) -m pytest -n 2 -m search

# Keeps its test databases between runs (--reuse-db); after a new migration, run
# `make test` (or add --create-db) once.
test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not search" --reuse-db

stop:
	@scripts/pg.sh stop

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrations-check: setup
	$(PY) manage.py makemigrations --check --dry-run

bench: setup
	$(PY) bench/matching.py
	$(PY) bench/pack.py
	$(PY) bench/handout.py
	$(PY) bench/case_summary.py
	$(PY) bench/case_page.py
	$(PY) bench/meeting_mode.py
	$(PY) bench/quality.py
	$(PY) bench/growth.py
	$(PY) bench/upload.py
	$(PY) bench/load.py

backup: setup
	$(PY) manage.py backup

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/tumorboard-....dump" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)"
