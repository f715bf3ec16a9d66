# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2

.PHONY: run serve test test-scale test-services test-search-pg bench lint format lock install install-test data messages clean browser-deps redis-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime dependencies from the lock file, then the project itself.
$(VENV)/.installed: requirements/lock.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Migrate, load the reference data and the Forum 2004 dataset (idempotent),
# collect static files and make sure a secretariat account exists.
data: install
	$(BIN)/clearinghouse migrate --no-input
	$(BIN)/clearinghouse load_reference_data
	$(BIN)/clearinghouse load_forum2004
	$(BIN)/clearinghouse collectstatic --no-input --verbosity 0
	$(BIN)/clearinghouse ensure_secretariat

run: data serve

# gunicorn serves the site; the embedded worker runs background jobs.
serve:
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops the site and the worker)"
	@$(BIN)/clearinghouse worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn clearinghouse.wsgi --bind $(HOST):$(PORT) \
	  --workers $(WEB_WORKERS) --access-logfile - 

test: install-test browser-deps redis-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -m "not scale"

# The Redis rate limiter's tests start a throwaway redis-server of their own.
redis-deps:
	@command -v redis-server >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# The browser tests (tests/browser) drive Debian's Chromium, with fonts for
# every script of the six languages, and inject axe-core from the npm registry
# (pinned in tests/browser/package-lock.json). Installed only when missing.
BROWSER_PACKAGES := chromium fonts-noto-core fonts-noto-cjk
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser-deps: $(AXE)
	@missing=""; for pkg in $(BROWSER_PACKAGES); do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ] || [ ! -x /usr/bin/chromium ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

# The whole suite against throwaway PostgreSQL and Redis servers on loopback
# ports (installed from Debian's packages when absent), stopped afterwards.
test-scale: install-test browser-deps
	@urls="$$(scripts/scale-services start)" || exit 1; \
	trap 'scripts/scale-services stop' EXIT; \
	env $$urls $(BIN)/pytest -p no:cacheprovider

# The tests that need real servers (PostgreSQL search and backups, the move
# from SQLite, the Redis job queue and rate limiter) against throwaway
# PostgreSQL and Redis servers: what .ci/run checks beside make test.
SERVICE_TESTS := tests/scale tests/library/search tests/core/test_transfer.py \
  tests/security/test_backup_postgresql.py tests/core/test_ratelimit.py \
  tests/federation/test_lease.py
test-services: install-test
	@urls="$$(scripts/scale-services start)" || exit 1; \
	trap 'scripts/scale-services stop' EXIT; \
	env $$urls $(BIN)/pytest -p no:cacheprovider $(SERVICE_TESTS)

# The library search tests against a throwaway PostgreSQL server (`make test`
# runs them on the embedded engine): the same tests pass on both backends.
test-search-pg: install-test
	@urls="$$(scripts/scale-services start)" || exit 1; \
	trap 'scripts/scale-services stop' EXIT; \
	env $$urls $(BIN)/pytest -p no:cacheprovider tests/library/search

bench: install-test
	$(BIN)/python -m bench

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Regenerate the lock files from pyproject.toml.
lock: install-test
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links \
	  pyproject.toml -o requirements/lock.txt
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links \
	  --extra test pyproject.toml -o requirements/test.txt

# Extract new strings into the catalogues and compile them (needs GNU gettext).
# Fill new entries first with scripts/fill_translations.py (see its docstring).
messages: install
	cd src/clearinghouse && ../../$(BIN)/clearinghouse makemessages --no-obsolete \
	  -l ar -l zh_Hans -l fr -l ru -l es
	cd src/clearinghouse && ../../$(BIN)/clearinghouse compilemessages

clean:
	rm -rf $(VENV) var/static
