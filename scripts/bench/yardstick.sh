#!/usr/bin/env bash
# The LRS side by side with the ingest yardstick (../shared/yardstick/side-by-side.sh), as RESULTS.md reports it: a fresh
# cluster, the LRS (Release) on it warmed with 15 s of batches of 100 at 8 connections and 15 s of single statements at
# 16, twice, then side-by-side.sh's four interleaved phases of DURATION seconds twice, and where the machine's CPU went in
# each kind of phase (scripts/bench/phase-cpu.py), in cores and in µs per statement.
#
#   scripts/bench/yardstick.sh [LRS_DLL] [SQL]
#
# LRS_DLL: a Release build's Lrs.Api.dll (default: this checkout's, built first). SQL: run in the LRS's database once it has
# migrated it, before the warm-up (e.g. an index dropped, to bound what it costs: not a change). env: DURATION (20).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
side_by_side=$(cd "$repo/../shared/yardstick" 2>/dev/null && pwd)/side-by-side.sh
[[ -f "$side_by_side" ]] || { echo "no ../shared/yardstick/side-by-side.sh beside the repository" >&2; exit 1; }
# shellcheck source=lib.sh
source "$here/lib.sh"
work=$(mktemp -d /tmp/lrs-yardstick.XXXXXX)
sampler=""
trap 'rc=$?; [[ -z "$sampler" ]] || kill "$sampler" 2>/dev/null; bench_cleanup; rm -rf "$work"; exit "$rc"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_warmed_lrs "${1:-}" "${2:-}"
echo "build: $lrs_dll${2:+; SQL: $2}"
echo "start $(date -u +%FT%TZ), load avg $(cut -d' ' -f1-3 /proc/loadavg)"
"$here/phase-cpu.py" "$(head -n 1 "$pg_dir/postmaster.pid")" "$lrs_pid" >"$work/cpu" &
sampler=$!
DATA="$work/data" bash "$side_by_side" "$endpoint" bench "$secret" 127.0.0.1 "$pg_port" "${DURATION:-20}" | tee "$work/ratios"
kill "$sampler"
wait "$sampler" || true
sampler=""
echo "end $(date -u +%FT%TZ), load avg $(cut -d' ' -f1-3 /proc/loadavg), LRS peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/"$lrs_pid"/status)"
echo
cat "$work/cpu"
echo
# µs of each part per statement: its cores over the phase kind's mean statements/s.
awk 'NR == FNR { if ($3 == "stmt/s") { s[$1] += $2; n[$1]++ } next }
     $1 ~ /^(lrs|yardstick)-(batch|single)$/ && n[$1] {
         if (!h++) printf "%-18s %8s %8s %8s %8s %8s %8s %8s   (µs per statement)\n", "phase", "server", "pg", "pg other", "wrk", "other", "idle+io", "all"
         r = s[$1] / n[$1]; server = ($1 ~ /^lrs/ ? $3 : $4); pg = ($1 ~ /^lrs/ ? $5 : $6)
         printf "%-18s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n", $1, server * 1e6 / r, pg * 1e6 / r, $7 * 1e6 / r, $8 * 1e6 / r, $9 * 1e6 / r, ($10 + $11) * 1e6 / r,
             (server + pg + $7 + $8 + $9 + $10 + $11) * 1e6 / r }' "$work/ratios" "$work/cpu"
