#!/usr/bin/env bash
# Installs hrmetrics into ./.venv. With --test it also installs what the test suite needs:
# headless Chromium from Debian's packages (for the offline-report browser test) and the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

install_chromium() {
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

if [[ $want_test == 1 ]] && ! command -v chromium >/dev/null 2>&1; then
  # Two tries: a mirror hiccup should not cost the whole run. If both fail, the browser tests
  # report themselves as skipped ("/usr/bin/chromium not installed") instead of passing silently.
  install_chromium || { sleep 10; install_chromium; } || \
    echo "WARNING: could not install chromium; the browser tests will be skipped" >&2
fi

PY=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [[ $want_test == 1 ]]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
