#!/usr/bin/env bash
# Measures a three-server cluster (PostgreSQL + Redis) against one server on
# SQLite with the same confab-bench workloads, on this machine. Run by hand
# (not by CTest); docs/performance.md quotes what it printed. Everything is
# started in a temporary directory on free ports and stopped at the end.
#   scripts/cluster-bench.sh [build directory]
set -euo pipefail
BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
SERVER=$BUILD/server/confab-server
BENCH=$BUILD/bench/confab-bench
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d)
PIDS=()
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

[ "$(id -u)" -eq 0 ] && chown postgres "$WORK"
PG_PORT=$(free_port); REDIS_PORT=$(free_port)
as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U confab --auth=trust -E UTF8 --locale=C >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -o "-h 127.0.0.1 -p $PG_PORT -k $WORK" -w start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U confab confab
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" --loglevel warning \
    >"$WORK/redis.log" 2>&1 &
PIDS+=($!)

# Starts a server; its TCP port is left in $PORT. (Not in a $(…): the
# server would hold the substitution's output open for ever.)
start_server() { # name, extra arguments...
    local name=$1; shift
    "$SERVER" --tcp-port 0 --http-port 0 --discovery-port 0 --bind 127.0.0.1 --flood-rate 0 --max-connections-per-address 0 \
        --port-file "$WORK/$name.ports" "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    SERVER_PID=$!
    for _ in $(seq 100); do [ -s "$WORK/$name.ports" ] && break; sleep 0.1; done
    PORT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tcp'])" "$WORK/$name.ports")
}

# CPU seconds a process has used so far (user + system).
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
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
    start_server "node$i" --db "postgresql://confab@127.0.0.1:$PG_PORT/confab" --redis "127.0.0.1:$REDIS_PORT"
    CLUSTER+=("$PORT"); CLUSTER_PIDS+=("$SERVER_PID")
done
REDIS_PID=${PIDS[0]}
# The PostgreSQL backends serving the servers, as one figure.
pg_cpu() {
    local total=0 pid
    for pid in $(head -1 "$WORK/pg/postmaster.pid") $(ps --ppid "$(head -1 "$WORK/pg/postmaster.pid")" -o pid=); do
        total=$(awk -v t="$total" -v c="$(cpu_seconds "$pid" 2>/dev/null || echo 0)" 'BEGIN { printf "%.2f", t + c }')
    done
    echo "$total"
}
CLUSTER_PORTS=$(IFS=,; echo "${CLUSTER[*]}")

for workload in "fanout --receivers 300 --window 50" "rooms --rooms 30 --members 10 --rate 2"; do
    echo "== one server, SQLite: confab-bench $workload"
    measure "$SINGLE" "$SINGLE_PID" $workload
    echo "== three servers, PostgreSQL + Redis: confab-bench $workload --port $CLUSTER_PORTS"
    pg_before=$(pg_cpu)
    measure "$CLUSTER_PORTS" "${CLUSTER_PIDS[*]} $REDIS_PID" $workload
    awk -v a="$pg_before" -v b="$(pg_cpu)" 'BEGIN { printf "cpu_s postgresql %.2f\n", b - a }'
done
