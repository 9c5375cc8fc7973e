# Lingong — the two set-up commands are `make run` and `make test`; both need only Python 3.11 and make.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test worker beat lint format install migrate seed messages check-deploy schema fuzz bench bench-data clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_divisions

seed: migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo

## Serve the portal on embedded defaults (SQLite, filesystem broker) with a Celery worker and beat beside it
## (one process: the only beat of this embedded set-up).
run: seed
	@mkdir -p var/celery/queue var/celery/processed var/celery/control
	@echo "Serving http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/docs/) — Ctrl-C stops both"
	@trap 'trap - INT TERM EXIT; kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	  $(VENV)/bin/celery -A config.celery_app worker --beat --pool=solo --loglevel=INFO \
	    --schedule=var/celery/beat-schedule & \
	  DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## The whole suite (SQLite unless DATABASE_URL is set; Redis tests need REDIS_URL).
test: install
	$(VENV)/bin/pytest

## The API fuzz job of CI, longer (tests/guards/test_fuzz.py; PostgreSQL in DATABASE_URL): FUZZ_EXAMPLES cases
## per operation and phase, at most FUZZ_SECONDS per role (5 roles; defaults: 25 cases, 300 s, so ~26 minutes).
FUZZ_EXAMPLES ?= 25
FUZZ_SECONDS ?= 300
fuzz: install
	LINGONG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) LINGONG_FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  $(VENV)/bin/pytest -p no:cacheprovider tests/guards/test_fuzz.py -k every_role

## Celery worker on Redis (CELERY_BROKER_URL or REDIS_URL) for deployments: as many as you like, workers only.
worker: install
	$(VENV)/bin/celery -A config.celery_app worker --loglevel=INFO

## The one scheduler (django-celery-beat): run exactly one per deployment, beside the workers.
beat: install
	$(VENV)/bin/celery -A config.celery_app beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Regenerate and compile translations (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l en --no-location --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages -l en --ignore=.venv

## Production settings' deploy checks; a console SMS provider or backend fails them (core.checks). The
## example gateway stands in for the provider unless LINGONG_SMS_PROVIDER and its credentials are set.
check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	  DJANGO_ALLOWED_HOSTS=lingong.example.gov.cn DATABASE_URL=$${DATABASE_URL:-postgres://localhost/lingong} \
	  REDIS_URL=$${REDIS_URL:-redis://localhost:6379/0} \
	  LINGONG_SMS_PROVIDER=$${LINGONG_SMS_PROVIDER:-gateway} \
	  LINGONG_SMS_GATEWAY_URL=$${LINGONG_SMS_GATEWAY_URL:-https://sms.example.gov.cn/api/v1/send} \
	  LINGONG_SMS_GATEWAY_APP_ID=$${LINGONG_SMS_GATEWAY_APP_ID:-lingong} \
	  LINGONG_SMS_GATEWAY_SECRET=$${LINGONG_SMS_GATEWAY_SECRET:-$$(head -c 24 /dev/urandom | base64)} \
	  $(PY) manage.py check --deploy --fail-level WARNING

schema: install
	@mkdir -p var
	$(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

## Benchmark data only (issue 6): BENCH_SIZE=XS|S|L on DATABASE_URL (PostgreSQL; XS also runs on SQLite).
BENCH_SIZE ?= XS
bench-data: migrate
	$(PY) manage.py bench_data --size $(BENCH_SIZE)

## The benchmark on PostgreSQL and Redis with gunicorn (docs/performance.md), e.g. BENCH_ARGS="--size XS --duration 5".
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var db.sqlite3*
