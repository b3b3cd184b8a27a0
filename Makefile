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
	@go run ./internal/lambdazip/cmd/lambdazip -o $(MOVER_ZIP) ./functions/mover

## ---------------------------------------------------------------- test

.PHONY: test
test: tools terraform-config ## Run every test: unit, synth, integration against moto, lint.
	go vet ./...
	go test -count=1 -timeout 30m ./...
	cd tools && go tool actionlint -color=never $(wildcard $(CURDIR)/.github/workflows/*.yml)

.PHONY: clean
clean: ## Remove everything the build and tests write.
	rm -rf $(BUILD) cdktf.out
