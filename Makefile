# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed-stamp
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install setup run test test-postgres test-browser screenshots node-tools lint format bench clean messages \
	outdated soak

# Dependencies come from requirements.lock: exact versions with their hashes (runtime, dev, postgres
# and server extras, and the build backend), so every machine installs the same files. The Hub itself
# goes in last without dependencies and without build isolation, built by the locked setuptools.
LOCK := requirements.lock
PIP  := $(BIN)/pip --disable-pip-version-check

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# lock: resolve pyproject.toml's ranges (and its build requirements) into $(LOCK) for CPython 3.11
# on Linux x86_64; versions already locked stay unless the ranges exclude them. lock-upgrade moves
# every package to the newest release the ranges allow. The resolver (uv) is pinned and lives in a
# venv of its own, so it never enters the Hub's.
UV_VERSION := 0.13.10
TOOLS      := $(VENV)-tools
UV_STAMP   := $(TOOLS)/.uv-$(UV_VERSION)
LOCK_ARGS  := --extra dev --extra postgres --extra server --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu --custom-compile-command 'make lock'
BUILD_REQUIRES := $(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'

.PHONY: lock lock-upgrade

$(UV_STAMP):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $(UV_STAMP)

lock: $(UV_STAMP)
	$(BUILD_REQUIRES) | $(TOOLS)/bin/uv pip compile --quiet pyproject.toml - $(LOCK_ARGS) -o $(LOCK)

lock-upgrade: LOCK_ARGS += --upgrade
lock-upgrade: lock

## setup: migrate the database, load reference data and content/, bring the index up to date
setup: install
	$(FLASK) db upgrade
	$(FLASK) hub load-reference
	$(FLASK) hub load-content content/

## run: set everything up and serve the Hub on http://127.0.0.1:5000
run: setup
	$(FLASK) hub serve --host 127.0.0.1 --port 5000

## test: set up the same way, then run the whole suite (SQLite, temporary folders)
test: setup
	$(BIN)/pytest -q -n auto -m "not browser"

# Browser-test tools from the npm registry, pinned with integrity hashes in package-lock.json:
# axe-core (accessibility rules run in the page) and vnu-jar (the Nu HTML Checker, run with the
# system Java). --ignore-scripts: vnu-jar's install script would fetch a Java runtime; Java 17 is
# already installed. The stamp makes this a no-op until package-lock.json changes.
NODE_STAMP := node_modules/.installed-stamp

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

node-tools: $(NODE_STAMP)

## test-browser: pages in real headless Chromium (needs /usr/bin/chromium; .ci/run installs it)
test-browser: setup node-tools
	$(BIN)/pytest -q -p no:xdist -m browser tests/browser

## screenshots: desktop (1280) and phone (390) PNGs of the main pages, into docs/screenshots/
screenshots: setup
	HUB_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -q -p no:xdist -m browser -s tests/browser/test_screenshots.py

## test-postgres: the same suite against PostgreSQL ($(PG_URL))
test-postgres: install
	HUB_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n auto -m "not browser"

## lint: the static gate. ruff (style, and the bandit rules S over hub/: each finding fixed or
## marked with a reason), ruff format, and mypy on the permission rule and the service functions
## (files listed under [tool.mypy] in pyproject.toml). The project's own rules (Markup only from the
## sanitizer, no SQL pasted together...) are tests: tests/test_static_rules.py, run by `make test`.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## outdated: how many direct dependencies are behind PyPI's latest minor release (asks PyPI, so it
## is not part of `make test`; the security floors are, in tests/test_dependencies.py)
outdated: install
	$(BIN)/python tools/outdated.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@if [ -d bench ] && ls bench/*.py >/dev/null 2>&1; then \
		status=0; for b in bench/[!_]*.py; do [ "$$b" = bench/soak.py ] && continue; \
			echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status; \
	else echo "no benchmarks yet"; fi

## soak: 50 users (60% search, 30% view, 10% edit) for 10 minutes against gunicorn with 4 workers on
## SQLite, with the follower and the job worker; prints p50/p95, errors, "database is locked", the
## workers' RSS growth and the index check (T-38). SOAK_SECONDS=120 make soak for a shorter run.
## Not part of `make bench` (too long) nor `make test` (tests/test_soak.py is its 10 s version).
soak: install
	nice -n 10 $(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) instance search_index/v* search_index/CURRENT .pytest_cache node_modules

## messages: extract every UI string for translators (hub/translations/messages.pot)
messages: install
	mkdir -p hub/translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -o hub/translations/messages.pot .
