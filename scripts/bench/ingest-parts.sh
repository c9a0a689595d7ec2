#!/usr/bin/env bash
# Where the LRS's CPU goes under batches, by part (parse, validate, prepare, storage, Npgsql, Kestrel, sockets, the kernel,
# the runtime): each build on a fresh cluster, WARM seconds of batches of 100 at 8 connections (the JIT settles), then
# `perf record -g` of the LRS for PROFILE seconds under the same load, and the samples' shares by part (ingest-parts.py). Changes
# of a few per cent of the LRS's CPU, which ingest-ab.sh cannot resolve, show in the shares of one load: a part that did not
# change takes a larger share of a smaller whole (RESULTS §32).
#
#   scripts/bench/ingest-parts.sh [DLL ...]      (Lrs.Api.dll of Release builds; default this checkout's, built first)
#
# env: WARM (60), PROFILE (seconds profiled, 12), ROUNDS (1: with several builds, the builds alternate ROUNDS times)
# Output: per build and round, statements/s and the parts' shares; perf data in scripts/bench/results/DATE/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
WARM=${WARM:-60} PROFILE=${PROFILE:-12} ROUNDS=${ROUNDS:-1}
# shellcheck source=lib.sh
source "$here/lib.sh"
pg_dir="" lrs_pid=""
bench_start ingest-parts
ensure_tools
command -v perf >/dev/null || { echo "perf is required (apt-get install linux-perf or linux-tools)" >&2; exit 1; }
dlls=("$@")
if ((${#dlls[@]} == 0)); then build_lrs; dlls=("$lrs_dll"); fi
node "$here/gen-statements.js" --out "$work/data" --single 1 --batches 300 --batch-size 100 >/dev/null
# perf names JIT-compiled frames from the runtime's map files; the second lets it read them.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0

load() { # SECONDS [wrk options]
    local seconds=$1
    shift
    AUTH="Basic $(printf 'bench:%s' "$secret" | base64 -w0)" XAPI_VERSION=1.0.3 BODIES="$work/data/batch100.jsonl" STMTS_PER_REQ=100 \
        wrk -t2 -c8 -d"${seconds}s" --timeout 30s "$@" -s "$here/post.lua" "$endpoint/statements"
}

echo "date: $(date -u +%FT%TZ)  load avg: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"
for round in $(seq "$ROUNDS"); do
    for i in "${!dlls[@]}"; do
        lrs_dll=$(realpath "${dlls[$i]}")
        start_pg
        start_lrs Postgres "$pg_conn" "$out/lrs-$round-$i.log"
        load "$WARM" >/dev/null
        load $((PROFILE + 6)) >"$out/wrk-$round-$i.txt" &
        wrk_pid=$!
        sleep 3
        perf record -F 999 -g -p "$lrs_pid" -o "$out/perf-$round-$i.data" -- sleep "$PROFILE" 2>/dev/null >/dev/null
        wait "$wrk_pid"
        stop_lrs
        stop_pg
        echo "== build $i ($lrs_dll), round $round: $(awk '/Requests\/sec/ {printf "%.0f statements/s", $2 * 100}' "$out/wrk-$round-$i.txt")"
        perf script -i "$out/perf-$round-$i.data" 2>/dev/null | python3 "$here/ingest-parts.py" | tee "$out/parts-$round-$i.txt"
    done
done
echo "results: $out"
