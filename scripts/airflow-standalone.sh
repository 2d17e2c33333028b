#!/usr/bin/env bash
# `make airflow`: airflow standalone (SQLite metadata, LocalExecutor) with the project's DAGs,
# crawling the local replay of the source sites. Ctrl-C stops everything.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export POLICYWATCH_HOME="$root"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$root/var/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$root/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW_ADMIN_USER:-admin}:admin"
port="${AIRFLOW_PORT:-8080}"
export AIRFLOW__API__PORT="$port"
replay_port="${POLICYWATCH_REPLAY_PORT:-8765}"
export POLICYWATCH_REPLAY_URL="${POLICYWATCH_REPLAY_URL:-http://127.0.0.1:$replay_port}"
mkdir -p "$AIRFLOW_HOME"

# The schema first, then the pools the DAG's tasks run in (a task whose pool is missing is never
# scheduled); `airflow standalone` would migrate too, but only after starting its components.
airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 || { cat "$AIRFLOW_HOME/migrate.log"; exit 1; }
bash "$root/scripts/airflow-pools.sh" >/dev/null

policywatch replay serve --root "$root/tests/fixtures/sites" --port "$replay_port" >"$AIRFLOW_HOME/replay.log" 2>&1 &
replay_pid=$!
trap 'kill "$replay_pid" 2>/dev/null || true' EXIT

passwords="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
(
    for _ in $(seq 300); do [ -s "$passwords" ] && break; sleep 1; done
    echo
    echo "=================================================================="
    echo " Airflow UI:  http://localhost:$port"
    echo " Login:       ${AIRFLOW_ADMIN_USER:-admin} / password: $(python -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1])).values())))' "$passwords" 2>/dev/null || echo "see $passwords")"
    echo " DAG:         policywatch_daily: unpause it, then Trigger with date 2024-03-05 (the replay's day), or"
    echo "              AIRFLOW_HOME=$AIRFLOW_HOME airflow dags trigger policywatch_daily -c '{\"date\": \"2024-03-05\"}'"
    echo " Replay:      $POLICYWATCH_REPLAY_URL   Database: ${POLICYWATCH_DATABASE_URL:-$root/var/policywatch.db}"
    echo "=================================================================="
) &
airflow standalone
