# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
# Development settings for `make run` only; production reads its own environment.
RUN_ENV := DEBUG=1 HTTPS=0

.PHONY: run test install install-test chromium lint bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed since the last install.
$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The benchmarks drive Chromium through Playwright (a test package) and gunicorn (bench).
$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_seeds
	$(RUN_ENV) $(PY) manage.py create_demo_accounts
	@echo "Crosscheck is at http://127.0.0.1:8000/ — sign in with an account above. Ctrl-C stops it."
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium package for the browser tests…"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

test: install-test chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Every benchmark on the generated corpus (100× the seeds; generated once, then reused),
# printed as one markdown table: on SQLite, or on DATABASE_URL when set (a scratch one).
# Pass options with `make bench BENCH_ARGS="--scale 0.1 --runs 5"`.
bench: install-test chromium $(VENV)/.installed-bench
	$(PY) bench/run_all.py $(BENCH_ARGS)
