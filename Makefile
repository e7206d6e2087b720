# Kindkaart: `make run` starts the app on the sample gemeente; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-dev db sample lint browser screenshot benchmark clean

run: setup db
	$(BIN)/streamlit run app.py

test: setup-dev browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2

setup: $(VENV)/.runtime-installed

setup-dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

# Build data/kindkaart.duckdb (or $$KINDKAART_DB) from sample_data/ when it is missing.
db: setup
	$(BIN)/python -m data_sources init --sample --if-missing

# Regenerate sample_data/ deterministically.
sample: setup
	$(BIN)/python sample_data/generate.py

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Debian's Chromium for the browser tests (installed when missing and we are root).
browser:
	bash scripts/ensure_chromium.sh

# Refresh the README screenshot with the browser test.
screenshot: setup-dev browser
	KINDKAART_SCREENSHOT_DIR=docs $(BIN)/python -m pytest tests/test_browser.py -q

# Speed at national scale (a few minutes; never part of `make test`): prints a table and
# writes benchmarks/results/latest.md.
benchmark: setup-dev browser
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) data .pytest_cache
