# The two commands: `make run` (the whole system locally) and `make test`.
# Each installs what it needs into .venv (and the template tools into .tools/) first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The template tools, pinned. Each pins its own boto3, so each lives in its own virtual
# environment under .tools/<tool>, never in .venv; the stamp names the version, so changing a
# pin reinstalls.
CFN_LINT_VERSION := 1.58.0
SAM_CLI_VERSION := 1.170.0
CHECKOV_VERSION := 3.3.30
# Schemathesis pins its own Hypothesis (the project pins another): .tools/schemathesis.
SCHEMATHESIS_VERSION := 4.32.5
CFN_LINT_STAMP := .tools/cfn-lint/.installed-$(CFN_LINT_VERSION)
SAM_STAMP := .tools/sam/.installed-$(SAM_CLI_VERSION)
CHECKOV_STAMP := .tools/checkov/.installed-$(CHECKOV_VERSION)
SCHEMATHESIS_STAMP := .tools/schemathesis/.installed-$(SCHEMATHESIS_VERSION)
# sam offline: fake credentials (no profile is read, nothing reaches AWS), a region, no
# telemetry, and its settings kept in .tools/sam/app (written at install: no update check).
SAM := env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=offline \
	AWS_SECRET_ACCESS_KEY=offline SAM_CLI_TELEMETRY=0 __SAM_CLI_APP_DIR=$(CURDIR)/.tools/sam/app \
	.tools/sam/bin/sam
# Lambda's runtime is python3.12: sam build needs that interpreter (with pip) on PATH.
PYTHON312 ?= $(shell command -v python3.12)

# The browser tests drive Debian's headless Chromium (Playwright talks to it; it never
# downloads a browser of its own). Installed when missing; apt-get needs root, else sudo.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: test lint typecheck template-check unit run bench build clean openapi chromium fuzz

$(STAMP): requirements-dev.txt layers/common/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# $(call tool_venv,directory,requirement): a fresh virtual environment with one tool.
define tool_venv
	rm -rf .tools/$(1)
	$(PYTHON) -m venv .tools/$(1)
	.tools/$(1)/bin/pip install --quiet --disable-pip-version-check $(2)
endef

$(CFN_LINT_STAMP):
	$(call tool_venv,cfn-lint,cfn-lint==$(CFN_LINT_VERSION))
	touch $@

$(SAM_STAMP):
	$(call tool_venv,sam,aws-sam-cli==$(SAM_CLI_VERSION))
	mkdir -p .tools/sam/app
	echo '{"telemetryEnabled": false, "lastVersionCheck": 4102444800.0}' > .tools/sam/app/metadata.json
	touch $@

$(CHECKOV_STAMP):
	$(call tool_venv,checkov,checkov==$(CHECKOV_VERSION))
	touch $@

chromium: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
	$(CHROMIUM) --headless --version

$(SCHEMATHESIS_STAMP):
	$(call tool_venv,schemathesis,schemathesis==$(SCHEMATHESIS_VERSION))
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r layers/common/clientaccounts functions
	PYTHONPATH=layers/common $(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The four template checks of DESIGN.md, offline (no AWS account, no network). `sam validate`
# gets an environment samconfig.toml does not define: its default sets lint=true, which would
# turn the transform check into a second lint. checkov: BC_SKIP_MAPPING and --skip-download
# keep it from calling home; its skips are justified in template.yaml (Metadata: checkov).
template-check: $(CFN_LINT_STAMP) $(SAM_STAMP) $(CHECKOV_STAMP)
	.tools/cfn-lint/bin/cfn-lint template.yaml
	$(SAM) validate --region us-east-1 --config-env template-check
	$(SAM) validate --lint --region us-east-1 --config-env template-check
	BC_SKIP_MAPPING=TRUE .tools/checkov/bin/checkov -f template.yaml --skip-download \
		--framework cloudformation --compact --quiet

# tests/e2e/test_schemathesis.py runs the bounded Schemathesis run (infra/fuzz.py).
test: lint typecheck template-check $(CHROMIUM) $(SCHEMATHESIS_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Schemathesis against a local stack it starts, longer and with a fresh seed each time:
# `make fuzz FUZZ_EXAMPLES=1000` (`FUZZ_ARGS="--seed 7"` repeats a run).
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP) $(SCHEMATHESIS_STAMP)
	$(BIN)/python -m infra.fuzz --max-examples $(FUZZ_EXAMPLES) $(FUZZ_ARGS)

# The whole back end on this machine (README, "Running locally"); `make run DEMO=1` seeds a demo.
# PORTAL_ORIGIN / PORTAL_BASE_URL (environment or `make run PORTAL_ORIGIN=...`) set the
# PortalOrigin / PortalBaseUrl parameters; the origin follows the base URL unless given.
# The reference portal (portal/) is served on http://localhost:$(PORTAL_PORT).
PORTAL_PORT ?= 8080
run: $(STAMP)
	$(BIN)/python -m infra.local_stack --portal-port $(PORTAL_PORT) $(if $(DEMO),--demo,)

# Deployable artifacts in .aws-sam/build (README, "Deploying"); not part of `make test`.
# boto3/botocore come from the Lambda runtime and are taken out of the layer; every .py is
# compiled to an unchecked-hash .pyc (timestamps in a zip say nothing: a timestamp .pyc would
# be checked against its source, found stale and ignored, on every cold start).
build: $(SAM_STAMP)
	@if [ -z "$(PYTHON312)" ] || ! "$(PYTHON312)" -c 'import sys, pip; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then \
	  echo "make build needs a Python 3.12 with pip (the Lambda runtime is python3.12; sam build"; \
	  echo "installs the layer's dependencies with it). python3.12 on PATH: '$(PYTHON312)'"; \
	  echo "(missing, not 3.12, without pip, or a pyenv shim that does not run)."; \
	  echo "Install one (apt-get install python3.12 python3.12-venv; pyenv install 3.12;"; \
	  echo "uv python install 3.12) and put it on PATH, or: make build PYTHON312=/path/to/python3.12"; \
	  exit 1; \
	fi
	PATH="$$(dirname "$$("$(PYTHON312)" -c 'import sys; print(sys.executable)')"):$$PATH" \
		$(SAM) build
	"$(PYTHON312)" infra/build_artifacts.py prune .aws-sam/build
	"$(PYTHON312)" -m compileall -q -f --invalidation-mode unchecked-hash .aws-sam/build
	"$(PYTHON312)" infra/build_artifacts.py report .aws-sam/build

unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

# Every benchmark section (bench/__main__.py); BENCH_ARGS="--only cold_import --runs 5".
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .aws-sam

# Regenerate docs/openapi.json from the routes (a unit test fails when it is stale).
openapi: $(STAMP)
	PYTHONPATH=layers/common:. $(BIN)/python -m infra.openapi > docs/openapi.json
