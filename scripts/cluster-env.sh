# Sourced by the cluster benchmarks (cluster-bench.sh, scale-out.sh): starts
# PostgreSQL and Redis on free ports in a temporary directory, gives a way to
# start servers, and stops everything when the script exits. Set BUILD first.
SERVER=$BUILD/server/confab-server
BENCH=$BUILD/bench/confab-bench
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d)
PIDS=()
CLEANUP_HOOKS=()
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    local pid hook
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for hook in "${CLEANUP_HOOKS[@]}"; do $hook || true; done
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
REDIS_PID=$!
CLUSTER_ARGS=(--db "postgresql://confab@127.0.0.1:$PG_PORT/confab" --redis "127.0.0.1:$REDIS_PORT")

# Starts a server; its TCP port is left in $PORT and its pid in $SERVER_PID.
# (Not in a $(…): the server would hold the substitution's output open for ever.)
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

# The PostgreSQL backends serving the servers, as one figure.
pg_cpu() {
    local total=0 pid
    for pid in $(head -1 "$WORK/pg/postmaster.pid") $(ps --ppid "$(head -1 "$WORK/pg/postmaster.pid")" -o pid=); do
        total=$(awk -v t="$total" -v c="$(cpu_seconds "$pid" 2>/dev/null || echo 0)" 'BEGIN { printf "%.2f", t + c }')
    done
    echo "$total"
}
