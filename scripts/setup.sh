#!/usr/bin/env bash
# Create the virtualenv and install the tracker (with extras given as $1, e.g. "test").
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# The setuptools a venv starts with (65.5 on Python 3.11) has known vulnerabilities.
.venv/bin/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"
extras=${1:-}
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
# Compile the translations (the .mo files are build output, not committed).
.venv/bin/pybabel compile -d tracker/translations --statistics
# Vietnamese for WTForms' own messages ("Cần nhập nội dung này."), which WTForms lacks.
.venv/bin/pybabel compile -D wtforms -d tracker/translations --statistics
