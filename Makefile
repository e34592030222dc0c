# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); each has its own test database and Redis database (esmart/settings/test.py).
TEST_PROCESSES ?= auto

.PHONY: run test lint schema bench bench-storage bench-scale worker beat migrate seed clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0

seed: migrate
	$(BIN)/python manage.py seed_demo

## Create the virtualenv, install, migrate, seed the demo data and serve on 127.0.0.1:8000.
run: seed
	@echo "API docs: http://$(HOST):$(PORT)/api/docs/   admin: http://$(HOST):$(PORT)/admin/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: $(STAMP)
	DJANGO_SETTINGS_MODULE=esmart.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

## Lint, import contracts (docs/architecture.md) and format check, migrations check, schema validation and the whole test suite (schemathesis included).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=esmart.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=esmart.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/pytest -n $(TEST_PROCESSES) --maxprocesses=8

## Requests/s of the API against bare-Django baselines, under gunicorn with PostgreSQL and Redis.
bench: $(STAMP)
	$(BIN)/python bench/run.py

## Storage layouts of interval data (bytes per reading, load rate, a year's read) in a scratch database.
bench-storage: $(STAMP)
	$(BIN)/python bench/meter_storage.py --readings $(or $(READINGS),1000000)

## Meter data at scale (issue 21): READINGS (default 10^8) through the app's loader into a scratch
## PostgreSQL database; bytes per reading, load rate, a year's read at 10^6 and at the end. Not in CI.
bench-scale: $(STAMP)
	$(BIN)/python -m bench.meter_scale --readings $(or $(READINGS),100000000)

worker: $(STAMP)
	$(BIN)/celery -A esmart worker --loglevel=INFO

# Beat's schedule state (last run times) lives under var/, not in the repository root.
beat: $(STAMP)
	mkdir -p var
	$(BIN)/celery -A esmart beat --loglevel=INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .hypothesis
