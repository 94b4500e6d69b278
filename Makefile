# The two commands: `make run` (the whole system locally) and `make test`.
# Each installs what it needs into .venv (and the template tools into .tools/) first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CFN_LINT := .tools/cfn-lint/bin/cfn-lint
CFN_LINT_VERSION := 1.58.0

.PHONY: test lint typecheck template-check unit run bench clean openapi

$(STAMP): requirements-dev.txt layers/common/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# cfn-lint pins its own boto3: it lives in its own virtual environment, never in .venv.
$(CFN_LINT):
	$(PYTHON) -m venv .tools/cfn-lint
	.tools/cfn-lint/bin/pip install --quiet --disable-pip-version-check cfn-lint==$(CFN_LINT_VERSION)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r layers/common/clientaccounts functions

typecheck: $(STAMP)
	$(BIN)/mypy

template-check: $(CFN_LINT)
	$(CFN_LINT) template.yaml

test: lint typecheck template-check
	$(BIN)/pytest $(PYTEST_ARGS)

# The whole back end on this machine (README, "Running locally"); `make run DEMO=1` seeds a demo.
run: $(STAMP)
	$(BIN)/python -m infra.local_stack $(if $(DEMO),--demo,)

unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

# Cold import of every handler against a cold `import boto3` (bench/cold_import.py).
bench: $(STAMP)
	$(BIN)/python -m bench.cold_import $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .mypy_cache .aws-sam

# Regenerate docs/openapi.json from the routes (a unit test fails when it is stale).
openapi: $(STAMP)
	PYTHONPATH=layers/common:. $(BIN)/python -m infra.openapi > docs/openapi.json
