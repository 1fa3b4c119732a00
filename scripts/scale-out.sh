#!/usr/bin/env bash
# Scale-out, measured rather than assumed. Each cluster server runs in a CPU
# quota of its own (cgroup v1 cpu.cfs_quota_us), as if it were a small machine;
# PostgreSQL, Redis and the load generator run outside the quotas. For one
# server and then for three, the `rooms` load (members 10, each saying 2
# messages a second; clients spread over the servers) is stepped up until it
# is no longer carried. A step is carried when at least 99% of what was
# offered is delivered, no request is refused and the p99 is under 50 ms; the
# search stops after two steps in a row that are not. Prints every step and a
# table for docs/performance.md. Run by hand, as root (cgroups).
#   scripts/scale-out.sh [build directory]
# CPU figures are cores used over the whole run of each step (connecting
# included), all servers together and PostgreSQL's backends together.
# Environment: QUOTA (cores per server, 0.3), START and STEP (rooms, 10 and 5),
# MAX (rooms, 150), DURATION (seconds per step, 10), SERVERS ("1 3").
set -euo pipefail
BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUOTA=${QUOTA:-0.3}; START=${START:-10}; STEP=${STEP:-5}; MAX=${MAX:-150}; DURATION=${DURATION:-10}
SERVERS=${SERVERS:-"1 3"}
MEMBERS=10; RATE=2
CGROUPS=/sys/fs/cgroup/cpu/confab-scale-$$
[ "$(id -u)" -eq 0 ] || { echo "scale-out.sh: needs root for the CPU quotas" >&2; exit 1; }
[ -d /sys/fs/cgroup/cpu ] || { echo "scale-out.sh: needs cgroup v1's cpu controller at /sys/fs/cgroup/cpu" >&2; exit 1; }
source "$(dirname "$0")/cluster-env.sh"

remove_cgroups() { [ -d "$CGROUPS" ] && find "$CGROUPS" -mindepth 1 -depth -type d -exec rmdir {} + && rmdir "$CGROUPS"; }
CLEANUP_HOOKS+=(remove_cgroups)
mkdir "$CGROUPS"
# Puts a process (all its threads, and those it starts later) under a quota.
limit_cpu() { # name, pid
    local dir=$CGROUPS/$1
    mkdir "$dir"
    echo 100000 >"$dir/cpu.cfs_period_us"
    awk -v q="$QUOTA" 'BEGIN { printf "%d\n", q * 100000 }' >"$dir/cpu.cfs_quota_us"
    echo "$2" >"$dir/cgroup.procs"
}
throttled_s() { awk '$1 == "throttled_time" { printf "%.1f", $2 / 1e9 }' "$CGROUPS/$1/cpu.stat"; }

# One figure of confab-bench's line of name=value pairs ("" when absent).
field() { # line, name
    tr ' ' '\n' <<<"$1" | awk -F= -v name="$2" '$1 == name { print $2 }'
}

# One configuration: N servers on a database of their own, each in its quota.
RESULTS=()
measure_servers() { # count
    local count=$1 ports=() pids=() i
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U confab "scale$count"
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
    for i in $(seq "$count"); do
        start_server "s${count}n$i" --db "postgresql://confab@127.0.0.1:$PG_PORT/scale$count" --redis "127.0.0.1:$REDIS_PORT"
        limit_cpu "s${count}n$i" "$SERVER_PID"
        ports+=("$PORT"); pids+=("$SERVER_PID")
    done
    local port_list best=0 best_line="none carried" misses=0 rooms=$START line
    port_list=$(IFS=,; echo "${ports[*]}")
    while [ "$rooms" -le "$MAX" ] && [ "$misses" -lt 2 ]; do
        local before=() cpu=0 pg_before started seconds
        for i in "${!pids[@]}"; do before[$i]=$(cpu_seconds "${pids[$i]}"); done
        pg_before=$(pg_cpu)
        started=$(date +%s.%N)
        line=$("$BENCH" rooms --rooms "$rooms" --members "$MEMBERS" --rate "$RATE" --duration "$DURATION" \
                   --port "$port_list" 2>&1 | grep '^workload=' || echo "workload=rooms failed")
        seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
        for i in "${!pids[@]}"; do
            cpu=$(awk -v c="$cpu" -v a="${before[$i]}" -v b="$(cpu_seconds "${pids[$i]}")" -v s="$seconds" \
                      'BEGIN { printf "%.2f", c + (b - a) / s }')
        done
        local pg
        pg=$(awk -v a="$pg_before" -v b="$(pg_cpu)" -v s="$seconds" 'BEGIN { printf "%.2f", (b - a) / s }')
        local verdict
        verdict=$(awk -v offered="$(field "$line" offered_per_s)" -v delivered="$(field "$line" deliveries_per_s)" \
                      -v errors="$(field "$line" errors)" -v p99="$(field "$line" p99_ms)" 'BEGIN {
            ok = offered > 0 && delivered >= 0.99 * offered && errors == 0 && p99 < 50
            printf "%s", ok ? "carried" : "not_carried" }')
        echo "servers=$count $line servers_cores=$cpu postgresql_cores=$pg $verdict"
        if [ "$verdict" = carried ]; then
            best=$rooms; best_line=$line; misses=0
        else
            misses=$((misses + 1))
        fi
        rooms=$((rooms + STEP))
    done
    for i in $(seq "$count"); do echo "throttled_s server $i: $(throttled_s "s${count}n$i")"; done
    for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
    RESULTS+=("$count|$best|$best_line")
}

for count in $SERVERS; do measure_servers "$count"; done

echo
echo "| servers (each $QUOTA of a core) | rooms carried | deliveries/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
for result in "${RESULTS[@]}"; do
    IFS='|' read -r count best line <<<"$result"
    echo "| $count | $best | $(field "$line" deliveries_per_s) | $(field "$line" p50_ms) | $(field "$line" p99_ms) |"
done
