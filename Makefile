# Intervu: `make run` starts everything, `make test` runs the whole suite. Both install what is missing first.
SHELL := /bin/bash
UV ?= uv
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: setup run test test-unit test-fast faults lint typecheck bench up down status migrate

setup:
	@bash scripts/setup.sh

run: setup
	@$(UV) run --frozen intervu-dev run

# The whole suite against real infrastructure; stops what it had to start.
test: setup
	@bash scripts/test.sh

# Faults proven on the running product (issue 15): workers killed mid-job, NATS stopped 60 s, PostgreSQL restarted,
# storage and Keycloak out 30 s; prints the counts per fault (faults/README.md). Starts `intervu-dev run` with short
# job leases unless a product already serves https://localhost:8443. Not part of `make test`: it stops shared pieces.
faults: setup
	@$(UV) run --frozen pytest -q faults

# The pure tests only (scoring, fillers, STAR, ranking, tus headers, tokens...): nothing is started; after `make setup`.
test-unit:
	@$(UV) run --frozen pytest -q --unit

# The suite without setup, for quick loops once `make setup` ran (infrastructure starts on demand).
test-fast:
	@$(UV) run --frozen pytest -q

lint:
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .

typecheck:
	@$(UV) run --frozen mypy

bench: setup
	@$(UV) run --frozen python -m intervu_kit.bench

up:
	@$(UV) run --frozen intervu-dev up

down:
	@$(UV) run --frozen intervu-dev down

status:
	@$(UV) run --frozen intervu-dev status

migrate:
	@$(UV) run --frozen intervu-dev migrate
