# data-engineering-exports: every command a developer, CI or an operator runs.
# `make test` is what CI runs (.ci/run); `make demo` shows the whole product
# working against the moto AWS emulator on a fresh clone.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BUILD := $(CURDIR)/build
MOVER_ZIP := $(BUILD)/mover.zip

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export GOFLAGS := -mod=readonly
# Terraform reads our CLI config: providers come from this machine's
# filesystem mirror when there is one (no internet needed), else the registry.
export TF_CLI_CONFIG_FILE := $(BUILD)/terraform.rc
export TF_IN_AUTOMATION := 1

# Where a machine may keep a filesystem mirror of the AWS provider.
TF_MIRROR_CANDIDATES := $(TF_PLUGIN_MIRROR) /opt/tf-plugins $(HOME)/.terraform.d/plugins \
	/usr/local/share/terraform/plugins /usr/share/terraform/plugins
TF_MIRROR := $(firstword $(foreach d,$(TF_MIRROR_CANDIDATES),$(if $(wildcard $(d)/registry.terraform.io/hashicorp/aws),$(d))))

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

## ---------------------------------------------------------------- tools

.PHONY: tools
tools: ## Check the tools this project needs and say how to get any that are missing.
	@missing=0; \
	check() { if ! command -v "$$1" >/dev/null 2>&1; then echo "missing: $$1 ($$2)"; missing=1; fi; }; \
	check go "https://go.dev/dl/ (go 1.26 or newer)"; \
	check terraform "https://developer.hashicorp.com/terraform/install (1.11 or newer)"; \
	check node "Node.js 20 or newer, needed by CDKTF at synth time"; \
	check moto_server "pip install 'moto[server]==5.2.*' (the AWS emulator used by tests and the demo)"; \
	check aws "pip install awscli (used by make demo)"; \
	exit $$missing

$(TF_CLI_CONFIG_FILE): Makefile
	@mkdir -p $(BUILD)/plugin-cache
	@{ \
	  echo '# Written by make: do not edit.'; \
	  echo 'plugin_cache_dir = "$(BUILD)/plugin-cache"'; \
	  if [ -n "$(TF_MIRROR)" ]; then \
	    echo 'provider_installation {'; \
	    echo '  filesystem_mirror {'; \
	    echo '    path    = "$(TF_MIRROR)"'; \
	    echo '    include = ["registry.terraform.io/hashicorp/*"]'; \
	    echo '  }'; \
	    echo '  direct {'; \
	    echo '    exclude = ["registry.terraform.io/hashicorp/*"]'; \
	    echo '  }'; \
	    echo '}'; \
	  fi; \
	} > $@
	@echo "terraform: providers from $(if $(TF_MIRROR),the filesystem mirror $(TF_MIRROR),the registry) ($@)"

.PHONY: terraform-config
terraform-config: $(TF_CLI_CONFIG_FILE) ## Write the Terraform CLI config (offline provider mirror when present).

## ---------------------------------------------------------------- build

.PHONY: mover-zip
mover-zip: ## Build the mover Lambda as a reproducible zip (build/mover.zip).
	@go run ./devtools/lambdazip -o $(MOVER_ZIP) ./functions/mover

## ---------------------------------------------------------------- test

.PHONY: test
test: tools terraform-config ## Run every test: unit, synth, integration against moto, lint.
	go vet ./...
	$(STATICCHECK)
	go test -count=1 -timeout 30m ./...
	$(LINT_WORKFLOWS)

# staticcheck at the version tools/go.mod pins, with its default checks,
# over the main module: -modfile builds the tool from tools/go.mod while
# the packages it checks load from the repository root's go.mod.
STATICCHECK = go tool -modfile=tools/go.mod staticcheck ./...

.PHONY: clean
clean: ## Remove everything the build and tests write.
	rm -rf $(BUILD) cdktf.out

## ---------------------------------------------------------------- demo and figures

.PHONY: demo
demo: terraform-config ## The whole product on moto, no AWS account: validate, synth, apply, push, move, pull, plan again.
	@scripts/demo.sh

.PHONY: demo-migration
demo-migration: terraform-config ## The switch from the earlier tool on moto: its estate, migrate, adopt, plan, apply, check, sweep, plan again.
	@scripts/demo-migration.sh

.PHONY: bench-build
bench-build: ## Build the tool (cmd/exports) and the CDKTF app from an empty Go build cache: wall, CPU, peak memory.
	@scripts/bench-build.sh

.PHONY: bench-synth
bench-synth: ## Time synthesis of 1, 25 and 200 generated datasets: wall time and peak memory against the goals.
	@scripts/bench-synth.sh

## ---------------------------------------------------------------- datasets

.PHONY: bench-validate
bench-validate: ## Time loading and validating 2,000 generated dataset files (goal: under 0.2 s).
	@mkdir -p $(BUILD)
	@go test ./datasets -run '^$$' -bench '^BenchmarkValidate2000$$' -benchmem -count 5 | tee $(BUILD)/bench-validate.txt | \
	  awk '/^BenchmarkValidate2000/ { for (i = 4; i < NF; i++) if ($$(i + 1) == "cpu-s/op") cpu = $$i; print $$3 / 1e9, cpu }' | sort -n | \
	  awk '{ wall[NR] = $$1; cpu[NR] = $$2 } END { if (NR == 0) exit 1; m = int((NR + 1) / 2); \
	    printf "validate 2,000 files (1,000 push + 1,000 pull): median %.3f s wall (%.3f s CPU), best %.3f s, over %d runs (goal < 0.2 s)\n", wall[m], cpu[m], wall[1], NR }'

.PHONY: fuzz-datasets
fuzz-datasets: ## Fuzz the dataset loader for FUZZTIME (default 5m); new failing inputs land in datasets/testdata/fuzz.
	go test ./datasets -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(or $(FUZZTIME),5m)

## ---------------------------------------------------------------- pull requests and deploys

.PHONY: plan-fixtures
plan-fixtures: terraform-config ## Regenerate the plan-summary fixtures from real plans against moto (minutes), then the golden files.
	go run ./devtools/planfixtures
	go test -count=1 ./internal/plansummary -update
	@git status --short internal/plansummary/testdata

# actionlint runs shellcheck on every run: block when shellcheck is installed
# (it is on GitHub's runners).
LINT_WORKFLOWS = cd tools && go tool actionlint -no-color $(wildcard $(CURDIR)/.github/workflows/*.yml)

.PHONY: lint-workflows
lint-workflows: ## Lint the GitHub Actions workflows with actionlint (and shellcheck when installed).
	$(LINT_WORKFLOWS)

## ---------------------------------------------------------------- mover figures

.PHONY: bench-mover
bench-mover: ## Measure the mover against moto: S3 requests and objects/s, single vs multipart copy, zip size.
	go test -run '^$$' -bench 'MoveSmallObjects' -benchtime 300x ./functions/mover/move/
	go test -run '^$$' -bench 'SweepSmallObjects|MoveLargeObject|PackagedSize' -benchtime 3x ./functions/mover/move/
