# Two commands for a fresh machine: `make run` and `make test`. Everything else is their setup.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
NODE_STAMP := node_modules/.installed-lock

.PHONY: run test setup sysdeps messages lint worker

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	@touch $(STAMP)

sysdeps:
	@bash .ci/sysdeps.sh

# axe-core for the browser tests' accessibility checks (test-only; nothing of it is served).
$(NODE_STAMP): package-lock.json | sysdeps
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

messages: $(STAMP) sysdeps
	@$(PY) manage.py compilemessages --ignore=.venv -v0

setup: $(STAMP) sysdeps messages $(NODE_STAMP)

# Serve the app with demo data on http://127.0.0.1:8000. With CELERY_BROKER_URL set, a worker
# and the beat scheduler run beside it and stop with it.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@mkdir -p var
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
	  $(VENV)/bin/celery -A tilsyn worker --loglevel=INFO --concurrency=2 & worker=$$!; \
	  $(VENV)/bin/celery -A tilsyn beat --loglevel=INFO --schedule=var/celerybeat-schedule & beat=$$!; \
	  trap 'kill $$worker $$beat 2>/dev/null' EXIT; \
	fi; \
	echo "Tilsyn: http://127.0.0.1:8000 — log in with a demo login from .demo-logins.txt (above)."; \
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

test: setup lint
	$(PY) -m pytest
