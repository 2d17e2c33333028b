#!/usr/bin/env bash
# `make airflow`: airflow standalone (SQLite metadata, LocalExecutor) with the project's DAGs and
# plugin, crawling the local replay of the source sites.
#
#   AIRFLOW_HOST         address the api-server (UI) binds; default 127.0.0.1 (this machine only)
#   AIRFLOW_PORT         its port; default 8080
#   AIRFLOW_PARALLELISM  task processes at once (LocalExecutor workers); default 4, for 2 cores
#   FAIL                 faults for the replay, HOST/PATH=STATUS, space-separated, e.g.
#                        FAIL="kjj.cq.gov.cn/zwxx_176/tzgg/index.html=404": rehearse a broken source
#                        (PATTERN=ACTION,... for other faults: devtools/replay_faults.py)
#   FAULTS               a TOML or JSON file of faults for the replay
#
# Ctrl-C or SIGTERM stops every process it started (the replay server, Airflow's components, their
# task processes and crawls) within 10 s: TERM first, KILL for what is left after 7 s (the
# scheduler ignores TERM while it waits for its executor).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export POLICYWATCH_HOME="$root"
# every process standalone starts imports the project from this checkout
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$root/var/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$root/dags"
export AIRFLOW__CORE__PLUGINS_FOLDER="$root/plugins"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW_ADMIN_USER:-admin}:admin"
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW_PARALLELISM:-4}"
host="${AIRFLOW_HOST:-127.0.0.1}"
port="${AIRFLOW_PORT:-8080}"
export AIRFLOW__API__HOST="$host"
export AIRFLOW__API__PORT="$port"
replay_port="${POLICYWATCH_REPLAY_PORT:-8765}"
export POLICYWATCH_REPLAY_URL="${POLICYWATCH_REPLAY_URL:-http://127.0.0.1:$replay_port}"
mkdir -p "$AIRFLOW_HOME"
# The review app (mounted at /review) signs its sessions with POLICYWATCH_REVIEW_SECRET: one made
# here once, kept in AIRFLOW_HOME (readable by this user only), unless the environment has one.
if [ -z "${POLICYWATCH_REVIEW_SECRET:-}" ]; then
    secret_file="$AIRFLOW_HOME/policywatch-review-secret"
    [ -s "$secret_file" ] || (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(32))' >"$secret_file")
    POLICYWATCH_REVIEW_SECRET="$(cat "$secret_file")"
    export POLICYWATCH_REVIEW_SECRET
fi

# The pids of every process below this script (children of children included), newest last.
descendants() {
    ps -e -o pid=,ppid= | awk -v top="$$" '
        { parent[$1] = $2 }
        END {
            found[top] = 1; grew = 1
            while (grew) { grew = 0; for (p in parent) if (!(p in found) && (parent[p] in found)) { found[p] = 1; grew = 1 } }
            for (p in found) if (p != top) print p
        }'
}

stopping=0
stop() {
    [ "$stopping" = 1 ] && return
    stopping=1
    local pids
    pids="$(descendants)"
    [ -n "$pids" ] || return 0
    echo "make airflow: stopping $(echo "$pids" | wc -w) processes" >&2
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    # A wall-clock deadline, not a count of rounds: on a loaded machine one round (ps, awk, kill -0)
    # takes far longer than its 0.1 s sleep, and 70 rounds had run past 11 s.
    local deadline=$(( ${EPOCHREALTIME/./} + 7000000 ))
    while (( ${EPOCHREALTIME/./} < deadline )); do
        pids="$(for p in $pids $(descendants); do kill -0 "$p" 2>/dev/null && echo "$p"; done | sort -u)"
        [ -n "$pids" ] || return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# The schema first, then the pools the DAG's tasks run in (a task whose pool is missing is never
# scheduled); `airflow standalone` would migrate too, but only after starting its components.
airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 || { cat "$AIRFLOW_HOME/migrate.log"; exit 1; }
bash "$root/scripts/airflow-pools.sh" >/dev/null

faults=()
for spec in ${FAIL:-}; do faults+=(--fail "$spec"); done
if [ -n "${FAULTS:-}" ]; then faults+=(--faults "$(realpath "$FAULTS")"); fi
policywatch replay serve --root "$root/tests/fixtures/sites" --port "$replay_port" "${faults[@]}" \
    >"$AIRFLOW_HOME/replay.log" 2>&1 &

passwords="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
(
    for _ in $(seq 300); do [ -s "$passwords" ] && break; sleep 1; done
    echo
    echo "=================================================================="
    echo " Airflow UI:  http://$host:$port   (Sources: http://$host:$port/plugin/policywatch-sources)"
    echo " Review:      http://$host:$port/review/   (its own login: policywatch users add NAME --role analyst)"
    echo " Login:       ${AIRFLOW_ADMIN_USER:-admin} / password: $(python -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1])).values())))' "$passwords" 2>/dev/null || echo "see $passwords")"
    echo " DAG:         policywatch_daily: unpausing it runs the latest interval at once (see README);"
    echo "              trigger with date 2024-03-05 (the replay's day), or"
    echo "              AIRFLOW_HOME=$AIRFLOW_HOME airflow dags trigger policywatch_daily -c '{\"date\": \"2024-03-05\"}'"
    echo " Replay:      $POLICYWATCH_REPLAY_URL${FAIL:+   faults: $FAIL}"
    echo " Database:    ${POLICYWATCH_DATABASE_URL:-$root/var/policywatch.db}"
    echo " Stop:        Ctrl-C"
    echo "=================================================================="
) &

airflow standalone &
standalone=$!
# `wait` returns early when a trapped signal arrives; the trap then stops everything.
wait "$standalone" || true
