#!/usr/bin/env bash
# One confab-bench run against one confab-server binary, the server on CPU 0
# and the tool on CPU 1, on a fresh database in a temporary directory: run
# it for two builds in turn to compare them (docs/performance.md).
#
#   bench/side_by_side.sh /tmp/old/build/server/confab-server fanout
#   bench/side_by_side.sh build/server/confab-server rooms --rate 10
#
# CONFAB_BENCH (default build/bench/confab-bench) names the tool.
set -euo pipefail
server=$1
shift
bench=${CONFAB_BENCH:-build/bench/confab-bench}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
taskset -c 0 "$server" --tcp-port 0 --http-port 0 --discovery-port 0 --bind 127.0.0.1 \
    --flood-rate 0 --max-connections-per-address 0 --db "$dir/bench.db" --port-file "$dir/ports.json" \
    >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
    [ -s "$dir/ports.json" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.1
done
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tcp"])' "$dir/ports.json")
taskset -c 1 "$bench" "$@" --port "$port" --server-pid "$pid"
kill "$pid"
wait "$pid" 2>/dev/null || true
