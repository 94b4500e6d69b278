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
CFN_LINT_STAMP := .tools/cfn-lint/.installed-$(CFN_LINT_VERSION)
SAM_STAMP := .tools/sam/.installed-$(SAM_CLI_VERSION)
CHECKOV_STAMP := .tools/checkov/.installed-$(CHECKOV_VERSION)
# sam offline: fake credentials (no profile is read, nothing reaches AWS), a region, no
# telemetry, and its settings kept in .tools/sam/app (written at install: no update check).
SAM := env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=offline \
	AWS_SECRET_ACCESS_KEY=offline SAM_CLI_TELEMETRY=0 __SAM_CLI_APP_DIR=$(CURDIR)/.tools/sam/app \
	.tools/sam/bin/sam

.PHONY: test lint typecheck template-check unit run clean

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

test: lint typecheck template-check
	$(BIN)/pytest $(PYTEST_ARGS)

# The whole back end on this machine (README, "Running locally"); `make run DEMO=1` seeds a demo.
run: $(STAMP)
	$(BIN)/python -m infra.local_stack $(if $(DEMO),--demo,)

unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .mypy_cache .aws-sam
