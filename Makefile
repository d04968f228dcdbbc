# Two commands do all set-up: `make run` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint screenshots bench bench-data demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $(TEST_STAMP)

run: $(STAMP)
	$(PY) -m casebook

demo: $(STAMP)
	$(PY) -m casebook --demo

test: $(TEST_STAMP)
	$(PY) -m ruff check src migrations tests bench
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(TEST_STAMP)
	$(PY) -m ruff check src migrations tests bench

screenshots: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m casebook.ui.screenshots docs/screenshots

bench-data: $(STAMP)
	$(PY) bench/generate.py --out bench/data --plain

bench: $(STAMP)
	$(PY) bench/run.py --data bench/data

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
