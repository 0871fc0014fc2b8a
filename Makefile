# forum_site: `make run` serves the demo, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests that need PostgreSQL are deselected on SQLite.
PYTEST_MARKERS := $(if $(findstring postgres,$(DATABASE_URL)),,-m "not postgres")
# Each database's run keeps its JUnit report and failure screenshots in its own folder.
TEST_DATABASE := $(if $(findstring postgres,$(DATABASE_URL)),postgresql,sqlite)

.PHONY: run test lint check-python venv system-deps browser-tools messages migrate demo clean bench-pages

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "forum_site needs Python 3.12 or newer (Django 6.1); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "With pyenv, the committed .python-version selects 3.13; or run: make PYTHON=python3.13 ..."; \
	  exit 1; }

$(STAMP): requirements.txt requirements-dev.txt | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP) system-deps

# Debian packages the app needs: Pango for WeasyPrint (badges), Noto fonts so Chinese, Cyrillic and
# Arabic names are drawn (without them they come out as empty boxes, with no error).
system-deps:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-noto-core fonts-noto-cjk >/dev/null; fi

# Translation catalogues are compiled by the build (.mo files are not committed); needs GNU gettext.
messages: venv
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	@DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

migrate: messages
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --verbosity 0

# The local demo: debug on, two-factor authentication not required of organizers.
DEMO_ENV := DJANGO_DEBUG=true FORUM_STAFF_MFA_REQUIRED=false

demo: migrate
	$(DEMO_ENV) $(BIN)/python manage.py load_forum_demo
	$(DEMO_ENV) $(BIN)/python manage.py load_demo_delegates
	$(DEMO_ENV) $(BIN)/python manage.py create_demo_accounts

# The background worker (outbox delivery), the outbox sweep (retries) and the daily purge of personal
# data past its editions' retention periods run beside the server.
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (organizers: http://$(HOST):$(PORT)/admin/; Ctrl+C stops)"
	@$(DEMO_ENV) bash -c '$(BIN)/python manage.py db_worker --queue-name "*" & worker=$$!; \
	  $(BIN)/python manage.py deliver_outbox --every 60 & sweep=$$!; \
	  $(BIN)/python manage.py purge_personal_data --every 86400 & purge=$$!; \
	  trap "kill $$worker $$sweep $$purge 2>/dev/null" EXIT; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)'

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/djlint templates --lint

# Browser tests and page checks: Debian's Chromium (driven by Playwright for Python), axe-core and the
# Nu HTML Checker (vnu-jar, run with Java) from npm, pinned in package-lock.json.
CHROMIUM := /usr/bin/chromium
NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts --silent
	@touch $(NODE_STAMP)

browser-tools: $(NODE_STAMP)
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }

test: lint messages browser-tools
	@rm -rf test-artifacts/$(TEST_DATABASE)
	$(BIN)/pytest $(PYTEST_MARKERS) --junitxml=test-artifacts/$(TEST_DATABASE)/report.xml

bench-pages: venv
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache test-artifacts
