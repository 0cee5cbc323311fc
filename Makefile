# Intervu: `make run` starts everything, `make test` runs the whole suite. Both install what is missing first.
SHELL := /bin/bash
UV ?= uv
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: setup run test test-fast lint typecheck bench up down status migrate

setup:
	@bash scripts/setup.sh

run: setup
	@$(UV) run --frozen intervu-dev run

# The whole suite against real infrastructure; stops what it had to start.
test: setup
	@bash scripts/test.sh

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
