# oplake: the two commands a fresh machine needs are `make dev` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES := node_modules/.package-lock.json

export OPLAKE_PORT ?= 8787
export OPLAKE_DATA_DIR ?= ./.oplake

# One runtime for local mode, tests, benchmarks and Lambda (nodejs22.x): Node 22 first on PATH,
# the machine's own when it is 22+, else one tools/node.sh installs from the npm registry (once).
ifneq ($(filter-out help clean,$(or $(MAKECMDGOALS),help)),)
NODE_BIN := $(shell tools/node.sh)
ifeq ($(NODE_BIN),)
$(error tools/node.sh could not provide Node 22)
endif
export PATH := $(NODE_BIN):$(PATH)
endif

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: $(NODE_MODULES) ## Install the npm dependencies (npm ci) when missing or stale

.PHONY: dev
dev: deps ## Run the whole pipeline locally on 127.0.0.1:$OPLAKE_PORT (no AWS account)
	npx tsx shared/local/server/main.ts

.PHONY: test
test: deps lint typecheck unit tf-check ## Lint, type-check, every jest suite, Terraform checks

.PHONY: unit
unit: deps ## Every jest suite (starts its own moto_server on 127.0.0.1)
	npx jest --ci

.PHONY: test-dates
test-dates: deps ## The suites that touch time again under other wall clocks (faketime: month ends, the 3rd/4th, a year ahead)
	bash test/dates/run.sh

.PHONY: audit
audit: deps ## npm audit of the production dependencies; fails on high or critical advisories
	node .ci/audit.mjs

.PHONY: node
node: ## Show the Node every target runs on (installs Node 22 into .tools/ when the machine's is older)
	@node --version

.PHONY: lint
lint: deps ## Biome lint + format check; docs/openapi.yaml with Redocly's recommended rules
	npx biome check .
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint --format=stylish

.PHONY: fmt
fmt: deps ## Format TypeScript (Biome) and Terraform
	npx biome check --write .
	terraform/scripts/tf.sh fmt -recursive .

.PHONY: typecheck
typecheck: deps ## tsc --noEmit over the whole repository (and the console, with the DOM's types)
	npx tsc --noEmit -p .
	npx tsc --noEmit -p console

.PHONY: build
build: deps ## Bundle every function into dist/<name>.zip
	node build.mjs

.PHONY: tf-check
tf-check: deps ## Terraform fmt, validate, test (mocked provider); IAM, env and Glue checked against the code
	bash test/terraform/check.sh

.PHONY: tf-emulator
tf-emulator: deps build ## Apply the root module to moto, run the deployed functions, re-plan (no drift), destroy
	bash test/terraform/moto-apply.sh

.PHONY: deploy
deploy: deps build ## Build the zips, then terraform apply (shows the plan, asks before applying)
	terraform/scripts/tf.sh init -input=false
	terraform/scripts/tf.sh apply

.PHONY: destroy
destroy: deps build ## terraform destroy (the zips must exist for the plan)
	terraform/scripts/tf.sh init -input=false
	terraform/scripts/tf.sh destroy

.PHONY: bench
bench: deps ## Benchmarks: JSON results under test/bench/results, printed as a table
	npx tsx test/bench/run.ts

.PHONY: demo
demo: deps ## A simulated fleet end to end over HTTP: ingest, convert, reports, buyer figures (ARGS=--short: CI's smoke test)
	npx tsx test/demo/main.ts $(ARGS)

.PHONY: cost
cost: deps ## Cost model: oplake vs the 2020 design from make bench's figures (ARGS="--pcs 100000 ..." or "--per-tenant")
	npx tsx shared/cost/main.ts $(ARGS)

SOAK_SECONDS ?= 300
.PHONY: soak
soak: deps ## Soak: agents under load, kill -9 at random moments, restart, then flush, convert, reconcile (SOAK_SECONDS=300)
	npx tsx test/soak/run.ts --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

.PHONY: clean
clean: ## Remove build output and the local data directory
	rm -rf dist coverage $(OPLAKE_DATA_DIR)
