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

# libfaketime moves the clock of the shifted-clock run below (Debian's faketime).
if ! command -v faketime >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== Cài faketime cho lần chạy với đồng hồ dời ngày (installing faketime) =="
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
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

# No test may depend on the machine's date: the tests of tasks, the web pages, the API and
# the reminders run once more with the machine's clock moved years ahead (processes they
# start get the tests' own clock instead: tests/faults.py, without_faked_clock).
if [ "$#" -eq 0 ]; then
  shifted_to=${SHIFTED_CLOCK:-2029-03-12 09:00:00}
  echo "== Kiểm thử với đồng hồ máy dời đến $shifted_to (tests under a shifted clock) =="
  TEST_DATABASE_URL= faketime -f "@$shifted_to" pytest -q \
    tests/test_clarity.py tests/test_lifecycle.py tests/test_classification.py \
    tests/test_calendar.py tests/test_deadlines_on_days_off.py tests/test_web_tasks.py \
    tests/test_web_access.py tests/test_api.py tests/test_subtasks.py tests/test_task_groups.py \
    tests/test_series.py tests/test_templates.py tests/test_reminders.py \
    tests/test_reminder_rules.py tests/test_escalation_pages.py tests/test_oversight.py
fi
if [ -n "$postgres_url" ]; then
  echo "== Bộ kiểm thử trên PostgreSQL (test suite on PostgreSQL: $postgres_url) =="
  TEST_DATABASE_URL="$postgres_url" pytest "$@"
fi
