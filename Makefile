# Two commands do all set-up: `make run` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PACKAGE_STAMP := $(VENV)/.installed-package

.PHONY: run test lint screenshots bench bench-data demo clean package package-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $(TEST_STAMP)

$(PACKAGE_STAMP): $(TEST_STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test,package]'
	touch $(PACKAGE_STAMP)

# Exit code 2 is "no display": the app has already said what to do, so make adds no error.
run: $(STAMP)
	@$(PY) -m casebook || [ $$? -eq 2 ]

demo: $(STAMP)
	@$(PY) -m casebook --demo || [ $$? -eq 2 ]

# The frozen one-folder bundle for this OS: dist/casebook/ (casebook + casebook-admin).
package: $(PACKAGE_STAMP)
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/casebook.spec

# Smoke test of a fresh bundle: the frozen CLI end to end with no Python on PATH, the frozen
# app's demo offscreen, the notices, the shipped files. Always builds first (about a minute).
package-check: package
	CASEBOOK_BUNDLE=dist/casebook QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q \
		-p no:cacheprovider tests/package

test: $(TEST_STAMP)
	$(PY) -m ruff check src migrations packaging tests bench
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(TEST_STAMP)
	$(PY) -m ruff check src migrations packaging tests bench

# Every PNG in docs/screenshots: the app's screens at 1366×768, then the school-wide screens
# with the richer data the GUI tests seed (tests named *screenshot(s)_of*).
screenshots: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m casebook.ui.screenshots docs/screenshots
	CASEBOOK_TEST_SCREENSHOTS=docs/screenshots QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q \
		-p no:cacheprovider tests/gui -k "screenshot_of or screenshots_of"

bench-data: $(STAMP)
	$(PY) bench/generate.py --out bench/data --plain

bench: $(STAMP)
	$(PY) bench/run.py --data bench/data

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
