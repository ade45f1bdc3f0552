# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed-stamp
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install setup run test test-postgres test-browser lint format bench clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## setup: migrate the database, load reference data and content/, bring the index up to date
setup: install
	$(FLASK) db upgrade
	$(FLASK) hub load-reference
	$(FLASK) hub load-content content/

## run: set everything up and serve the Hub on http://127.0.0.1:5000
run: setup
	$(FLASK) run --host 127.0.0.1 --port 5000

## test: set up the same way, then run the whole suite (SQLite, temporary folders)
test: setup
	$(BIN)/pytest -q -n auto -m "not browser"

## test-browser: pages in real headless Chromium (needs /usr/bin/chromium; .ci/run installs it)
test-browser: setup
	$(BIN)/pytest -q -p no:xdist -m browser tests/browser

## test-postgres: the same suite against PostgreSQL ($(PG_URL))
test-postgres: install
	HUB_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n auto -m "not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@if [ -d bench ] && ls bench/*.py >/dev/null 2>&1; then \
		status=0; for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status; \
	else echo "no benchmarks yet"; fi

clean:
	rm -rf $(VENV) instance search_index/v* search_index/CURRENT .pytest_cache

## messages: extract every UI string for translators (hub/translations/messages.pot)
messages: install
	mkdir -p hub/translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -o hub/translations/messages.pot .
