#!/usr/bin/env bash
# The team installation's Prefect server: reachable from other machines, so every API call and
# the UI need the shared auth string. It comes from the environment (a secrets manager, a
# root-only env file), never from this repository, and is not echoed.
#   PREFECT_SERVER_API_AUTH_STRING='user:long-random-password' deployments/server.sh
# Arguments replace the default `start --host 0.0.0.0 --port 4200` (CSFLOWS_BIND, CSFLOWS_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
if [[ -z "${PREFECT_SERVER_API_AUTH_STRING:-}" ]]; then
  echo "error: PREFECT_SERVER_API_AUTH_STRING is not set: a team server without it lets anyone on" >&2
  echo "       the network approve customers and read applicants' details. Set it (user:password)." >&2
  exit 1
fi
if [[ "$PREFECT_SERVER_API_AUTH_STRING" != *:* ]]; then
  echo "error: PREFECT_SERVER_API_AUTH_STRING must look like user:password (HTTP Basic)." >&2
  exit 1
fi
# The server's own clients (automations starting deployments) and this machine's CLI use it too.
export PREFECT_API_AUTH_STRING="$PREFECT_SERVER_API_AUTH_STRING"
export PREFECT_SERVER_ANALYTICS_ENABLED="${PREFECT_SERVER_ANALYTICS_ENABLED:-false}"
if [[ $# -eq 0 ]]; then
  set -- start --host "${CSFLOWS_BIND:-0.0.0.0}" --port "${CSFLOWS_PORT:-4200}"
fi
exec "$python" -m deployments.prefect_server "$@"
