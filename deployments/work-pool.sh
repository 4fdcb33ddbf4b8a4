#!/usr/bin/env bash
# Create the `csflows` process work pool (if missing), register csflows' block types, deploy
# every entry of prefect.yaml to its pool and set the team's API quotas (deployments/pool.py),
# and keep csflows' automations (deployments/automations.py). Idempotent: run it again after
# changing prefect.yaml. PYTHON picks the environment (default: this checkout's .venv). A team
# server wants the auth string: PREFECT_API_AUTH_STRING (deployments/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PREFECT_API_URL:?set PREFECT_API_URL to the Prefect server, e.g. http://127.0.0.1:4200/api}"
python="${PYTHON:-.venv/bin/python}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
"$python" -m prefect work-pool inspect csflows >/dev/null 2>&1 \
  || "$python" -m prefect work-pool create csflows --type process >/dev/null
"$python" -m prefect block register -m blocks >/dev/null
"$python" -m deployments.pool
"$python" -m deployments.automations
