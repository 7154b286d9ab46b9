# Digital Academy. `make run` serves the demo academy; `make test` runs the suite.
# Both work on a bare machine with Python 3.11, Node/npm and git.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv

.PHONY: run test e2e up lint check frontend install bench clean

# --- setup ---------------------------------------------------------------------
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) "uv==0.13.9"
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/app.css: node_modules/.installed $(wildcard frontend/src/*) frontend/build.mjs
	npm run --silent build

frontend: frontend/dist/app.css

# --- the two commands ----------------------------------------------------------
run: install frontend
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo_academy
	bin/run-dev

test: install frontend
	$(PY) -m pytest $(PYTEST_ARGS)

# The production-like stack as processes: gunicorn, two workers (quick and slow
# queues) and beat, with production settings, on this machine's PostgreSQL and Redis.
up: install frontend
	bin/up

# The browser tests alone (they also run in `make test`). Need DATABASE_URL, REDIS_URL
# and Debian's chromium.
e2e: install frontend
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# --- the rest ------------------------------------------------------------------
lint: install
	$(VENV)/bin/ruff check .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

# The benchmarks (bench/README.md): certificate drawing on one core, then the
# department-size harness, about 20 minutes (BENCH_SIZE=tiny: a couple). The harness
# makes its own databases on DATABASE_URL's server and needs a Redis database of its
# own (REDIS_URL; default database 3); the stack listens on BENCH_PORT or a free port.
BENCH_SIZE ?= full
bench: install frontend
	$(PY) bench/certificates.py 2000
	$(PY) bench/run.py --size $(BENCH_SIZE)

clean:
	rm -rf $(VENV) node_modules frontend/dist staticfiles .test-media db.sqlite3
