#!/usr/bin/env bash
# The one command that installs everything the tests need and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/python -m mypy          # type-checks hrmetrics/ ([tool.mypy] in pyproject.toml)
.venv/bin/python -m pytest "$@"
