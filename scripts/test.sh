#!/usr/bin/env bash
# Install the test dependencies and run the whole suite: lint, then the tests on SQLite,
# then again on PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff =="
ruff check .

postgres_url=${TEST_DATABASE_URL:-}
echo "== Bộ kiểm thử trên SQLite (test suite on SQLite) =="
TEST_DATABASE_URL= pytest "$@"
if [ -n "$postgres_url" ]; then
  echo "== Bộ kiểm thử trên PostgreSQL (test suite on PostgreSQL: $postgres_url) =="
  TEST_DATABASE_URL="$postgres_url" pytest "$@"
fi
