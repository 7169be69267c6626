PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Tryton test database takes about a minute to build; later runs reuse it from here.
export GATEWAY_TRYTON_CACHE ?= $(CURDIR)/.cache/tryton

.PHONY: run run-tryton test fmt schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,tryton]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/erp-gateway serve

run-tryton: $(STAMP)
	$(BIN)/erp-gateway serve --profile tryton

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/erp-gateway export-schema > experience_api/schema.graphql

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
