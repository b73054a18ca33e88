# Running Together. `make run` and `make test` work on a machine with only Python and apt.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-packages
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 poppler-utils chromium
export FLASK_APP := wsgi:app
LOCALSTRIPE_PORT ?= 8420
# Two workers: the suite is mostly waiting on databases, the stand-in and Chromium.
PYTEST_ARGS ?= -n 2

.PHONY: install system-packages migrate seed run test lint typecheck worker clean

$(SYSTEM_STAMP):
	@$(PYTHON) -m venv $(VENV)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@touch $@

$(STAMP): requirements.txt requirements-dev.txt $(SYSTEM_STAMP)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

install: $(STAMP)

system-packages: $(SYSTEM_STAMP)

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: seed
	$(BIN)/flask receipts dev-certificate
	$(BIN)/python -m dev.devserver

worker: install
	$(BIN)/rq worker --worker-class rq.worker.SimpleWorker --url "$${REDIS_URL:?set REDIS_URL to run a worker}" default

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Strict on fundraiser/payments/ (mypy.ini): a Stripe parameter the pinned SDK does not
# declare, or a required one missing, fails the build.
typecheck: install
	$(BIN)/mypy

test: install lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache test-output

# The README's production section run as written (dev/smoke_production.py says how), against
# PostgreSQL and Redis on 127.0.0.1, a local SMTP server and the Stripe stand-in.
.PHONY: smoke-production
smoke-production: install
	$(BIN)/python dev/smoke_production.py

# Benchmarks (docs/performance.md): they need PostgreSQL on 127.0.0.1:5432, and wrk and
# redis-server, installed here from Debian's packages when missing.
BENCH_APT_PACKAGES := wrk redis-server

.PHONY: bench-packages bench-http bench-webhooks bench-receipts bench-reports

bench-packages:
	@missing=""; for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

bench-http: install bench-packages
	$(BIN)/python bench/http.py $(BENCH_ARGS)

bench-webhooks: install bench-packages
	$(BIN)/python bench/webhooks.py $(BENCH_ARGS)

bench-receipts: install
	$(BIN)/python bench/receipts.py $(BENCH_ARGS)

bench-reports: install
	$(BIN)/python bench/reports.py $(BENCH_ARGS)
