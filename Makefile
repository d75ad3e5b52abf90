# Plexus Office. `make run` and `make test` work from a fresh clone with Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ACCOUNTS ?= 300
PORT ?= 8000

.PHONY: run test test-fast lint format venv setup demo browser-deps bench scenarios clean messages

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

## Translation catalogues: locale/<area>/<ll_CC>/LC_MESSAGES/django.po → .mo (Babel, pure Python; see bin/compile_messages.py).
messages: venv
	$(PY) bin/compile_messages.py

setup: venv messages
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0

demo: setup
	$(PY) manage.py seed_demo --accounts $(DEMO_ACCOUNTS) --seed 1 --if-empty
	$(PY) manage.py demo_logins

## Site + Celery worker + beat on the embedded defaults (SQLite, filesystem broker). Ctrl-C stops all.
run: demo
	@bash bin/run-all.sh $(PORT)

## The whole suite (SQLite by default; DATABASE_URL/CELERY_BROKER_URL switch to PostgreSQL/Redis).
test: venv messages browser-deps
	$(PY) -m pytest -q

## The inner loop: everything but the browser tests and the schema fuzzing (test_api_fuzz).
test-fast: venv messages
	$(PY) -m pytest -q -p no:cacheprovider -m "not browser" --ignore=tests/security/test_api_fuzz.py

## Debian's Chromium for the Playwright browser tests (installed once; needs root or sudo).
browser-deps:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

scenarios: setup
	$(PY) ../shared/spec/run_scenarios.py

bench: venv
	$(PY) bench/run_all.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
