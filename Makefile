# The two set-up commands of the README. Each creates .venv on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint serve bench validate figures screenshot notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run the install when the package metadata changes. The distribution is sco-transit; a .venv made
# before the rename also holds the old `transit` one, which is removed first (a no-op otherwise).
$(VENV)/.installed-run: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip uninstall --quiet --yes transit 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip uninstall --quiet --yes transit 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-api: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip uninstall --quiet --yes transit 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e '.[api]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-lint: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

DEMO_DATES = 2016-10-31T08:00,2017-10-30T08:00,2018-03-05T08:00,2020-06-01T08:00,2021-06-01T08:00,2024-06-03T08:00

demo: $(VENV)/.installed-run
	$(BIN)/transit compare Kashgar Tashkent --via Irkeshtam --depart 2017-10-30T08:00 --regimes pre-2017,history --samples 10000 --seed 42
	$(BIN)/transit compare Tashkent Kashgar --dates $(DEMO_DATES) --regimes history
	$(BIN)/transit compare Kashgar Tashkent --depart 2016-10-31T08:00 --regimes history --modes road,rail,road+rail

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The planner's page (at /) and the HTTP API, on loopback.
serve: $(VENV)/.installed-api
	$(BIN)/transit serve

# ruff (lint and format) and mypy --strict on transit/; the same checks as .pre-commit-config.yaml.
lint: $(VENV)/.installed-lint
	$(BIN)/ruff check transit tests bench examples docs
	$(BIN)/ruff format --check transit tests bench examples docs
	$(BIN)/mypy

validate: $(VENV)/.installed-run
	$(BIN)/transit validate

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_reliability.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_osm_valhalla.py
	$(BIN)/python bench/bench_osm_build.py
	$(BIN)/python bench/bench_osm_scale.py
	$(BIN)/python bench/bench_sweep.py

figures: $(VENV)/.installed-test
	$(BIN)/python docs/figures.py

# The README's picture of the planner's page (needs Debian's chromium).
screenshot: $(VENV)/.installed-test
	$(BIN)/python docs/page_screenshot.py

notebooks: $(VENV)/.installed-test
	$(BIN)/python examples/_build_notebooks.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
