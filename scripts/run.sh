#!/usr/bin/env bash
# Set everything up on the embedded SQLite default and start the tracker.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
tracker db upgrade
tracker demo
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
export TRACKER_BASE_URL=${TRACKER_BASE_URL:-http://$HOST:$PORT}

# The scheduler (reminders, warnings, escalations, email) is a process of its own,
# never inside the web workers; it stops with this script.
tracker scheduler > instance/scheduler.log 2>&1 &
scheduler_pid=$!
trap 'kill "$scheduler_pid" 2>/dev/null' EXIT INT TERM

echo
echo "Hệ thống theo dõi nhiệm vụ \"5 rõ\" đang chạy tại: http://$HOST:$PORT/"
echo "Bộ lập lịch nhắc hạn chạy nền (nhật ký: instance/scheduler.log). Dừng bằng Ctrl+C."
# Every worker's request counts add up in /metrics (gunicorn.conf.py empties the folder).
# No gunicorn access log: the tracker logs each request itself, without the feeds' secrets.
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/instance/prometheus}
gunicorn --workers "${WORKERS:-2}" --bind "$HOST:$PORT" wsgi:app
