#!/usr/bin/env bash
# `make test`: lint and types, then the whole suite against the real infrastructure. Infrastructure that was
# not running before is stopped again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(uv run --frozen intervu-dev status | awk '/running/ {print $1}' | tr '\n' ' ')
cleanup() {
  for name in keycloak minio nats postgres; do
    case " $before " in *" $name "*) ;; *) uv run --frozen python -c "from intervu_kit.devstack.procs import stop_pid; stop_pid('$name', sig=2 if '$name' == 'postgres' else 15)";; esac
  done
}
trap cleanup EXIT
echo "== lint (ruff) and types (mypy --strict)"
uv run --frozen ruff check .
uv run --frozen ruff format --check .
uv run --frozen mypy
echo "== infrastructure"
uv run --frozen intervu-dev up
echo "== tests"
uv run --frozen pytest -q "$@"
