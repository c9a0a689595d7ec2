#!/usr/bin/env bash
# Statement reads of two builds in turn, on the demo tenant that `follow-up.sh seed DIR` leaves running: per round and read,
# each build is started afresh, runs the read for WARM seconds (past the runtime's tiered compilation), then for MEASURE seconds
# measured; prints req/s, p50, p99 and the CPU milliseconds the LRS and PostgreSQL used per request.
#
#   scripts/bench/reads-ab.sh DIR A_DLL B_DLL
#
# env: READS ("agent verb+activity"), ROUNDS (2), WARM (45), MEASURE (15), CONNS (16), A_ENV / B_ENV (NAME=VALUE ... given to
#      that build's process, e.g. B_ENV=Lrs__Storage__Readers=8). Both builds must run on the seed's schema version.
# The reads, over arguments drawn once from the tenant as queries.sh draws them:
#   agent            GET /xapi/statements?agent={one of 500 people's agents}&limit=100
#   verb+activity    GET /xapi/statements?verb=…&activity=…&limit=100
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# == 3)) || { echo "usage: $0 DIR A_DLL B_DLL" >&2; exit 2; }
dir=$(realpath -m -- "$1") a_dll=$(realpath -- "$2") b_dll=$(realpath -- "$3")
READS=${READS:-agent verb+activity} ROUNDS=${ROUNDS:-2} WARM=${WARM:-45} MEASURE=${MEASURE:-15} CONNS=${CONNS:-16}
# shellcheck source=lib.sh
source "$here/lib.sh"
seed_start reads-ab

LRS_DLL=$a_dll use_seed "$dir"
sql "ANALYZE statements" >/dev/null
auth="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")
pg_pid=$(head -n 1 "$dir/postmaster.pid")

draw_statement_reads "$work"
declare -A format=([agent]="/xapi/statements?agent=%s&limit=100" [verb+activity]="/xapi/statements?verb=%s&limit=100")
declare -A ids=([agent]=agents.txt [verb+activity]=pairs.txt)

phase() { # READ SECONDS
    ids_phase "$1" "$CONNS" "$work/${ids[$1]}" "${format[$1]}" "$2"
}

# run BUILD DLL ENV READ: one measured read of a freshly started build.
run() {
    local kv line l0 l1 p0 p1
    for kv in $3; do export "${kv?}"; done
    lrs_dll=$2
    start_lrs Postgres "$conn" "$work/lrs-$1.log"
    base=${endpoint%/xapi}
    for kv in $3; do unset "${kv%%=*}"; done
    phase "$4" "$WARM" >/dev/null
    l0=$(cpu_seconds "$lrs_pid") p0=$(cpu_seconds "$pg_pid")
    line=$(phase "$4" "$MEASURE")
    l1=$(cpu_seconds "$lrs_pid") p1=$(cpu_seconds "$pg_pid")
    stop_lrs
    read_summary "$(printf '%-6s %-14s' "$1" "$4")" "$line" "$l0" "$l1" "$p0" "$p1"
}

echo "A: $a_dll ${A_ENV:-}"$'\n'"B: $b_dll ${B_ENV:-}"$'\n'"date: $(date -u +%FT%TZ); $CONNS connections, $WARM s warm-up, $MEASURE s measured"
printf '%-6s %-14s %s\n' build read "$READ_COLUMNS"
for ((r = 1; r <= ROUNDS; r++)); do
    for read in $READS; do
        [[ -n "${format[$read]:-}" ]] || { echo "unknown read '$read' (agent, verb+activity)" >&2; exit 2; }
        run A "$a_dll" "${A_ENV:-}" "$read"
        run B "$b_dll" "${B_ENV:-}" "$read"
    done
done
