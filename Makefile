# stresslens — the two commands a user needs are `make demo` and `make test`; the rest are building blocks.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

DATA ?= ../shared/data/dreaddit
MODEL ?= models/stresslens-dreaddit.bin
CARGO ?= cargo
export CHECKPOINT_DISABLE := 1

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-16s %s\n", $$1, $$2}'

# ---------------------------------------------------------------------------------------------- the two commands
.PHONY: demo
demo: ## The main job end to end on the embedded local stack (build, stack, provision, stream posts, read back)
	scripts/demo.sh

.PHONY: test
test: deps lint unit infra-check integration ## Everything: fmt, clippy, unit tests, infra checks, integration tests

# ---------------------------------------------------------------------------------------------- building blocks
.PHONY: deps
deps: ## Install what the machine lacks (Debian packages, Python venvs)
	scripts/deps.sh

.PHONY: lint
lint: ## cargo fmt --check and clippy -D warnings
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

.PHONY: unit
unit: ## All Rust tests (unit, doc, CLI), in release mode: they share the build with the release binaries
	$(CARGO) test --release --workspace --locked

.PHONY: build
build: ## Release build of the CLI and the Lambda binary for this machine
	$(CARGO) build --release --locked -p stresslens-cli -p stresslens-lambda

.PHONY: model
model: ## Re-train the committed default model from the Dreaddit train file (DATA=dir)
	$(CARGO) run --release --locked -p stresslens-cli -- train --data $(DATA)/dreaddit-train.csv --out $(MODEL)

.PHONY: bench
bench: ## Criterion benches and the side-by-side run of the scikit-learn reference
	scripts/bench.sh

.PHONY: infra-check
infra-check: ## Offline infra checks: terraform fmt/init/validate, cfn-lint, checkov, apply+plan+destroy on moto
	scripts/infra-check.sh

.PHONY: integration
integration: ## Integration tests against LocalStack (starts and stops it)
	scripts/integration.sh

.PHONY: stack-up
stack-up: ## Start the local AWS stack (LocalStack host mode; LOCAL_AWS=moto for moto server) on 127.0.0.1
	scripts/stack.sh up

.PHONY: stack-down
stack-down: ## Stop the local AWS stack
	scripts/stack.sh down

.PHONY: build-lambda
build-lambda: ## dist/stresslens-lambda.zip (bootstrap) for arm64, or x86_64 with a warning if arm64 cannot be built
	scripts/build-lambda.sh

.PHONY: deploy
deploy: build-lambda ## terraform apply infra/ with the zip and upload the model (ENV=stg|prod)
	scripts/deploy.sh apply

.PHONY: destroy
destroy: ## terraform destroy infra/ (ENV=stg|prod)
	scripts/deploy.sh destroy
