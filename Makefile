# The two commands of the README. Both create .venv and install on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit docs bench bench-ddp fuzz figures clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rnnlens demo

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	scripts/ensure-browser
	KERAS_BACKEND=torch $(BIN)/pytest -q

# the API reference from the docstrings; warnings (a broken docstring) fail the build
docs: $(STAMP)
	$(BIN)/python scripts/build_docs.py out/docs

bench: $(STAMP)
	$(BIN)/rnnlens bench --full --output docs/benchmarks.md --json bench/results.json

bench-ddp: $(STAMP)
	$(BIN)/python bench/ddp_bench.py

fuzz: $(STAMP)
	KERAS_BACKEND=torch HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/fuzz

# every picture under docs/: diagrams, report screenshots (needs Chromium)
figures: $(STAMP)
	scripts/ensure-browser
	KERAS_BACKEND=torch $(BIN)/python scripts/figures.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
