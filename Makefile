# Jianping developer workflow.
#
#   make run            venv + install + translations + migrations + demo data, then serve
#                       on http://$(HOST):$(PORT) (data kept in instance/ between runs)
#   make serve-prod     the production shape: gunicorn, WORKERS processes (default: one per core) over one
#                       database (instance/ SQLite by default; DATABASE_URL=postgresql://... for PostgreSQL)
#   make test           the whole pytest suite on SQLite, then again on PostgreSQL
#   make test-sqlite    ... only the SQLite half (plus the lifecycle tests again with --fresh-specs)
#   make test-postgres  ... only the PostgreSQL half (throwaway cluster on loopback)
#   make bench          bench/run.py
#   make frontend       npm ci + esbuild: the process designer and diagram viewer into app/static/dist
#
# PYTEST_ARGS passes options to pytest, e.g. `make test-sqlite PYTEST_ARGS="-k browser -x"`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

# Re-install only when pyproject.toml changes (the stamps live inside the venv, so a new
# venv always gets a fresh install).
APP_STAMP := $(VENV)/.jianping-app.stamp
TEST_STAMP := $(VENV)/.jianping-test.stamp

# CLI steps must not start the in-process timer scheduler.
FLASK := FLASK_APP=wsgi TIMER_SWEEP_SECONDS=0 $(BIN)/flask

.PHONY: help run serve serve-prod install install-test translations migrate demo test test-sqlite test-postgres \
        test-deps chromium bench frontend

help:
	@sed -n 's/^#   make/make/p' $(firstword $(MAKEFILE_LIST))

# --- environment ---------------------------------------------------------------------------

$(BIN)/python:
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV) || { \
	    echo "==> '$(PYTHON) -m venv' failed; installing python3-venv"; rm -rf $(VENV); \
	    scripts/apt-install.sh python3-venv; $(PYTHON) -m venv $(VENV); }

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(APP_STAMP)
	$(BIN)/python -m pip install -e ".[test]"
	touch $@

install: $(APP_STAMP)
install-test: $(TEST_STAMP)

translations: $(APP_STAMP)
	VENV=$(VENV) scripts/compile-translations.sh

# --- run -----------------------------------------------------------------------------------

migrate: $(APP_STAMP)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

# --- front end (bpmn-js, pinned in frontend/package-lock.json; no CDN) -----------------------

FRONTEND_STAMP := frontend/node_modules/.jianping.stamp
DIST_STAMP := app/static/dist/.built
FRONTEND_SRC := frontend/build.mjs $(wildcard frontend/src/*)

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null || { echo "==> npm not found; installing Debian's nodejs and npm"; \
	    scripts/apt-install.sh nodejs npm; }
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(DIST_STAMP): $(FRONTEND_STAMP) $(FRONTEND_SRC)
	cd frontend && node build.mjs
	touch $@

frontend: $(DIST_STAMP)

run: translations frontend demo
	@echo "==> serving Jianping on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/waitress-serve --host=$(HOST) --port=$(PORT) --threads=8 wsgi:app

serve-prod: translations frontend migrate
	@echo "==> serving Jianping with $(WORKERS) worker processes on http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn --workers $(WORKERS) --threads 4 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# --- tests ---------------------------------------------------------------------------------

chromium:
	scripts/ensure-chromium.sh

test-deps: $(TEST_STAMP) chromium translations frontend

test: test-sqlite test-postgres

test-sqlite: test-deps
	@echo "==> pytest on SQLite"
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@echo "==> lifecycle tests on SQLite, every diagram parsed afresh at every load (as another worker would)"
	env -u DATABASE_URL $(BIN)/python -m pytest -m lifecycle --fresh-specs $(PYTEST_ARGS)

test-postgres: test-deps
	@echo "==> pytest on PostgreSQL"
	scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

# --- bench ---------------------------------------------------------------------------------

bench: $(APP_STAMP)
	$(BIN)/python bench/run.py
