# Carbon Portal: `make run` sets everything up and serves on 127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

.PHONY: system-packages install run setup serve test test-pg lint format bench worker beat messages clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# With no configuration: SQLite file db.sqlite3, Celery tasks eager, DEBUG on.
setup: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_regions
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_departments
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

# Debian packages the portal needs besides Python's: CJK fonts (Chinese pages and the oversight
# summaries' PDFs, embedded by WeasyPrint) and poppler-utils (the tests check the PDFs with pdffonts
# and pdftotext). Installed when missing (as root; otherwise the command to run is printed).
system-packages:
	@need=""; fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || need="$$need fonts-noto-cjk"; \
	command -v pdffonts >/dev/null || need="$$need poppler-utils"; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; \
	  else echo "Missing Debian packages: sudo apt-get install$$need"; fi; \
	fi

run: system-packages setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

PYTEST := DEBUG=0 SECURE_SSL_REDIRECT=0 SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production} $(BIN)/pytest
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST) $(PYTEST_ARGS)

# The suite as CI runs it: on the local PostgreSQL and Redis (running already; the database is
# created if absent), with CI set so the PostgreSQL/Redis-only tests (COPY, rebuild and swap, the
# real Celery worker) run and fail instead of skipping. Without /usr/bin/chromium the browser
# tests are left out (`.ci/run` installs it). E.g. `make test-pg PG_DB=carbon_me PYTEST_ARGS=tests/monitoring`.
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_USER ?= postgres
PG_DB ?= carbon_test
REDIS_URL ?= redis://127.0.0.1:6379/15
PG_PYTEST_ARGS ?= $(if $(wildcard /usr/bin/chromium),,-m "not browser")
test-pg: install
	@pg_isready -h $(PG_HOST) -p $(PG_PORT) -q || { echo "PostgreSQL is not running on $(PG_HOST):$(PG_PORT)"; exit 1; }
	@redis-cli -u $(REDIS_URL) ping >/dev/null || { echo "Redis is not running at $(REDIS_URL)"; exit 1; }
	psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(PG_DB)'" | grep -q 1 \
	  || psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -c 'CREATE DATABASE "$(PG_DB)"'
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CI=$${CI:-true} DATABASE_URL=postgres://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(PG_DB) CELERY_BROKER_URL=$(REDIS_URL) \
	  $(PYTEST) $(PG_PYTEST_ARGS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# National-scale benchmark of the monitoring engine and of the pages (gunicorn) on PostgreSQL
# (BENCH_DATABASE_URL), then the load test (locust, Redis at BENCH_REDIS_URL, a Celery worker);
# bench/README.md. Only the pages: make bench BENCH_ARGS="--only pages"; only the load test:
# make bench BENCH_ARGS="--only load".
bench: install
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(PY) bench/run_bench.py $(BENCH_ARGS)

worker: install
	$(BIN)/celery -A carbon_portal worker --loglevel=info

beat: install
	$(BIN)/celery -A carbon_portal beat --loglevel=info

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) scripts/fill_po.py
	DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
