PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The MCP Inspector (npm): the client not written in Python in the MCP end-to-end tests.
INSPECTOR_DIR := tests/mcp_inspector
INSPECTOR := $(INSPECTOR_DIR)/node_modules/.installed
# The Tryton test database takes minutes to build (progress on the terminal); later runs reuse it.
export GATEWAY_TRYTON_CACHE ?= $(CURDIR)/.cache/tryton

# Debian's Chromium for the browser end-to-end tests (GraphiQL offline), driven by Playwright.
CHROMIUM := /usr/bin/chromium

.PHONY: run run-tryton test fmt schema lock clean browser

# Exact versions from constraints.txt (scripts/lock.py writes it; see its docstring to refresh).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,postgres,tryton]'
	touch $(STAMP)

$(INSPECTOR): $(INSPECTOR_DIR)/package.json $(INSPECTOR_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(INSPECTOR_DIR) --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the MCP Inspector tests will be skipped (they fail in CI)"; \
	fi

browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		apt-get update && apt-get install -y chromium; \
	else \
		echo "no $(CHROMIUM) and no apt-get: the browser tests will be skipped (they fail in CI)"; \
	fi

run: $(STAMP)
	$(BIN)/erp-gateway serve

run-tryton: $(STAMP)
	$(BIN)/erp-gateway serve --profile tryton

test: $(STAMP) $(INSPECTOR) browser
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

# Re-pin constraints.txt to what .venv holds, after a change to the dependencies.
lock: $(STAMP)
	$(BIN)/python scripts/lock.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
