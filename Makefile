# hero_claude. Quick start: `make run` (serve) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := run
HERO_SOCKET_DIR ?= $(HOME)/hero/var/sockets
LOGFILE ?= $(HOME)/hero/var/hero_claude/server.log

.PHONY: install build image docker run rundev start stop restart status logs check lint test test-all bench clean

install: ## install system packages (as root) and npm dependencies
	@bash scripts/setup.sh run

build: install ## build the dashboard and the server bundle
	npm run build

docker: ## make sure a Docker engine is running (starts dockerd as root)
	@bash scripts/ensure-docker.sh

image: docker ## build the sandbox image (skipped when its inputs are unchanged)
	@bash docker/build-image.sh

run: build ## install, build, start Docker, build the image, serve in the foreground
	@bash scripts/ensure-docker.sh && bash docker/build-image.sh || echo "run: continuing without Docker; sessions cannot start until it runs"
	@mkdir -p $(dir $(LOGFILE))
	npm start 2>&1 | tee -a $(LOGFILE)

rundev: install ## serve with Next.js in development mode (hot reload)
	npx tsx server.ts --dev

CLI := node bin/hero-claude.mjs
SERVICE_ENV := HERO_SOCKET_DIR=$(HERO_SOCKET_DIR)

# The CLI bundle alone, so stop/status/logs work even while the rest does not build.
dist/cli.mjs: $(wildcard lib/cli/*.ts lib/sdk/*.ts) bin/hero-claude.mjs
	node scripts/build-server.mjs cli

start: build ## build, then start the server in the background (through hero_proc when on PATH) and wait until it answers
	$(SERVICE_ENV) $(CLI) start --log-file $(LOGFILE)

stop: dist/cli.mjs ## stop the background server (SIGTERM: it drains and removes its sockets) and wait until it is gone
	@$(SERVICE_ENV) $(CLI) stop

restart: build ## rebuild, stop and start the background server
	$(SERVICE_ENV) $(CLI) restart --log-file $(LOGFILE)

status: dist/cli.mjs ## pid, sockets, health, Docker and image of the server (exit status 1 when down)
	@$(SERVICE_ENV) $(CLI) status --log-file $(LOGFILE)

logs: dist/cli.mjs ## follow the server log (written by `make start` and `make run`)
	@$(SERVICE_ENV) $(CLI) logs -f --log-file $(LOGFILE)

lint: install ## type-check everything
	npx tsc --noEmit -p .

check: lint ## type-check and run the unit tests
	npx vitest run tests/unit

test: install ## the whole suite: installs what is missing, starts Docker, builds, runs every test
	@bash scripts/setup.sh test
	@bash scripts/ensure-docker.sh
	npm run build
	@bash docker/build-image.sh
	npm test

test-all: test bench

bench: build ## benchmarks: print figures against baselines measured in the same run
	@for b in bench/*.bench.ts; do [[ -e "$$b" ]] && npx tsx "$$b"; done; true

clean:
	rm -rf .next dist
