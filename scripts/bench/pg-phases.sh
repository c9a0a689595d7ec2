#!/usr/bin/env bash
# Where PostgreSQL's CPU goes as a table grows under batches: a fresh cluster and the LRS (Release), warmed as for
# ../shared/yardstick/side-by-side.sh (15 s of batches of 100 at 8 connections, then 15 s of single statements at 16,
# twice), then PHASES phases of batches of PHASE_SECONDS each. Per phase: statements/s, p99, the LRS's CPU per statement, and
# PostgreSQL's by kind of process (scripts/bench/pg-cpu.py).
#
#   scripts/bench/pg-phases.sh [LRS_DLL] [SQL]
#
# LRS_DLL: a Release build's Lrs.Api.dll (default: this checkout's, built first). SQL: run in the LRS's database once it has
# migrated it, before the warm-up (e.g. an index dropped, to bound what the index costs: not a change).
# env: PHASES (4), PHASE_SECONDS (20).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
PHASES=${PHASES:-4} SECONDS_PER_PHASE=${PHASE_SECONDS:-20}
# shellcheck source=lib.sh
source "$here/lib.sh"
work=$(mktemp -d /tmp/lrs-pg-phases.XXXXXX)
trap 'rc=$?; bench_cleanup; rm -rf "$work"; exit "$rc"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_warmed_lrs "${1:-}" "${2:-}"
postmaster=$(head -n 1 "$pg_dir/postmaster.pid")
echo "build: $lrs_dll${2:+; SQL: $2}; $(date -u +%FT%TZ), load avg $(cut -d' ' -f1-3 /proc/loadavg)"
for ((p = 1; p <= PHASES; p++)); do
    n0=$(sql "SELECT count(*) FROM statements") l0=$(cpu_seconds "$lrs_pid")
    "$here/pg-cpu.py" "$postmaster" "$SECONDS_PER_PHASE" >"$work/cpu" &
    sampler=$!
    out=$(post_load "$work/data/batch100.jsonl" 100 8 "$SECONDS_PER_PHASE")
    wait "$sampler"
    n1=$(sql "SELECT count(*) FROM statements") l1=$(cpu_seconds "$lrs_pid")
    n=$((n1 - n0))
    echo "phase $p: $n1 statements stored, $((n / SECONDS_PER_PHASE)) statements/s, p99 $(awk '$1 == "99%" {print $2}' <<<"$out")," \
        "LRS $(awk -v a="$l0" -v b="$l1" -v n="$n" 'BEGIN {printf "%.0f", (b - a) * 1e6 / n}') µs per statement, load avg $(cut -d' ' -f1 /proc/loadavg)"
    awk -v n="$n" '$NF == "s" && $(NF - 1) > 0 {v = $(NF - 1); $NF = ""; $(NF - 1) = ""; printf "  PostgreSQL %-28s %6.1f µs per statement\n", $0, v * 1e6 / n}' "$work/cpu"
done
