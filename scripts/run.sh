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
echo
echo "Hệ thống theo dõi nhiệm vụ \"5 rõ\" đang chạy tại: http://$HOST:$PORT/"
echo "(Dừng bằng Ctrl+C.)"
exec gunicorn --workers "${WORKERS:-2}" --bind "$HOST:$PORT" --access-logfile - wsgi:app
