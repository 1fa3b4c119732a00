#!/usr/bin/env bash
# Measures a three-server cluster (PostgreSQL + Redis) against one server on
# SQLite with the same confab-bench workloads, on this machine. Run by hand
# (not by CTest); docs/performance.md quotes what it printed. Everything is
# started in a temporary directory on free ports and stopped at the end.
#   scripts/cluster-bench.sh [build directory]
set -euo pipefail
BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
source "$(dirname "$0")/cluster-env.sh"

# Runs confab-bench, then says how much CPU each process named spent.
measure() { # ports, pids, workload...
    local ports=$1 pids=$2; shift 2
    local -A before
    for pid in $pids; do before[$pid]=$(cpu_seconds "$pid"); done
    "$BENCH" "$@" --port "$ports" --duration 10
    for pid in $pids; do
        awk -v pid="$pid" -v a="${before[$pid]}" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "cpu_s pid=%s %.2f\n", pid, b - a }'
    done
}

start_server single --db "$WORK/single.db"
SINGLE=$PORT; SINGLE_PID=$SERVER_PID
CLUSTER=(); CLUSTER_PIDS=()
for i in 1 2 3; do
    start_server "node$i" "${CLUSTER_ARGS[@]}"
    CLUSTER+=("$PORT"); CLUSTER_PIDS+=("$SERVER_PID")
done
CLUSTER_PORTS=$(IFS=,; echo "${CLUSTER[*]}")

for workload in "fanout --receivers 300 --window 50" "rooms --rooms 30 --members 10 --rate 2"; do
    echo "== one server, SQLite: confab-bench $workload"
    measure "$SINGLE" "$SINGLE_PID" $workload
    echo "== three servers, PostgreSQL + Redis: confab-bench $workload --port $CLUSTER_PORTS"
    pg_before=$(pg_cpu)
    measure "$CLUSTER_PORTS" "${CLUSTER_PIDS[*]} $REDIS_PID" $workload
    awk -v a="$pg_before" -v b="$(pg_cpu)" 'BEGIN { printf "cpu_s postgresql %.2f\n", b - a }'
done
