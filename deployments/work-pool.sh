#!/usr/bin/env bash
# Create the `csflows` process work pool (if missing) and deploy every entry of prefect.yaml to it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PREFECT_API_URL:?set PREFECT_API_URL to the Prefect server, e.g. http://127.0.0.1:4200/api}"
export CSFLOWS_PROJECT_DIR="${CSFLOWS_PROJECT_DIR:-$PWD}"
.venv/bin/prefect work-pool inspect csflows >/dev/null 2>&1 \
  || .venv/bin/prefect work-pool create csflows --type process
.venv/bin/prefect block register -m blocks >/dev/null
.venv/bin/prefect --no-prompt deploy --all
