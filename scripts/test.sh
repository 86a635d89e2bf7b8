#!/usr/bin/env bash
# Install the test dependencies and run the whole suite: lint, then the tests on SQLite,
# then again on PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh test
export PATH="$PWD/.venv/bin:$PATH"

# Browser tests drive Debian's Chromium: Playwright cannot download its own browser here.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== Cài Chromium cho kiểm thử trình duyệt (installing chromium) =="
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff =="
ruff check .

# Known vulnerabilities in the installed packages; a database out of reach is a warning.
echo "== pip-audit (kiểm tra lỗ hổng của các gói phụ thuộc) =="
./scripts/audit-deps.sh

# pytest 8 keeps its temporary files under a predictable /tmp/pytest-of-USER
# (CVE-2025-71176): give it a private root of its own instead.
PYTEST_DEBUG_TEMPROOT=$(mktemp -d)
export PYTEST_DEBUG_TEMPROOT
trap 'rm -rf "$PYTEST_DEBUG_TEMPROOT"' EXIT

postgres_url=${TEST_DATABASE_URL:-}
echo "== Bộ kiểm thử trên SQLite (test suite on SQLite) =="
TEST_DATABASE_URL= pytest "$@"
if [ -n "$postgres_url" ]; then
  echo "== Bộ kiểm thử trên PostgreSQL (test suite on PostgreSQL: $postgres_url) =="
  TEST_DATABASE_URL="$postgres_url" pytest "$@"
fi
