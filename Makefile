# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium

.PHONY: run test install install-test chromium axe lint bench install-semantic

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

# The optional semantic re-ranker (README "Semantic re-ranking"), in a virtualenv of its own
# so that .venv never holds torch. torch's CPU build goes in FIRST, by its exact version (the
# wheel pip's find-links holds on these machines; where it is missing this fails at once
# instead of resolving a plain torch to the multi-GB CUDA build), then the app with the extra.
SEMANTIC_VENV := .venv-semantic
SEMANTIC_PY := $(SEMANTIC_VENV)/bin/python

$(SEMANTIC_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(SEMANTIC_VENV)
	$(SEMANTIC_PY) -m pip install --quiet --upgrade pip
	$(SEMANTIC_PY) -m pip install --quiet "torch==2.13.0+cpu"
	$(SEMANTIC_PY) -m pip install --quiet -e ".[test,semantic]"
	$(SEMANTIC_PY) -c "import torch; assert torch.version.cuda is None, 'torch is not the CPU build'"
	touch $@

install-semantic: $(SEMANTIC_VENV)/.installed

# Development settings, written once when missing (git-ignored; edit it freely). The settings
# read .env for what the environment leaves unset, so `make run` and every manage.py command
# typed by hand get the same settings. Production sets its own environment and has no .env.
.env:
	@key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') && umask 077 && \
	  printf '%s\n' "# Development settings written by make run; the environment wins over them." \
	    "DEBUG=1" "HTTPS=0" "SECRET_KEY=$$key" > $@.tmp && mv $@.tmp $@
	@echo "Wrote .env: development settings (DEBUG=1, HTTPS=0, a new SECRET_KEY)."

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds
	$(PY) manage.py index_passages
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py purge_jobs
	@echo "Crosscheck is at http://127.0.0.1:8000/ — sign in with an account above. Ctrl-C stops it."
	@# The background jobs' worker runs beside the server, in a process group of its own so
	@# that stopping the server stops it too (a second TERM ends a job it is still running).
	@setsid $(PY) manage.py db_worker & worker=$$!; \
	  trap 'kill -TERM -- -$$worker 2>/dev/null; sleep 1; kill -TERM -- -$$worker 2>/dev/null; \
	        wait $$worker' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium package for the browser tests…"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

# axe-core, which the accessibility tests inject into every page: from npm, at the version
# tests/browser/package-lock.json pins, into the virtualenv (the app never serves it).
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  echo "Installing Debian's npm package for the accessibility tests…"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; \
	fi
	mkdir -p $(VENV)/axe
	cp tests/browser/package.json tests/browser/package-lock.json $(VENV)/axe/
	npm ci --prefix $(VENV)/axe --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

axe: $(AXE)

test: install-test chromium axe
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache  # the layers of pyproject.toml [tool.importlinter]
	$(PY) -m mypy  # the apps' types: pyproject.toml [tool.mypy]

# Every benchmark on the generated corpus (100× the seeds; generated once, then reused),
# printed as one markdown table: on SQLite, or on DATABASE_URL when set (a scratch one).
# Pass options with `make bench BENCH_ARGS="--scale 0.1 --runs 5"`.
bench: install-test chromium $(VENV)/.installed-bench
	$(PY) bench/run_all.py $(BENCH_ARGS)
