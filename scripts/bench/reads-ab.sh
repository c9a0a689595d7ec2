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
work=$(mktemp -d /tmp/lrs-reads-ab.XXXXXX)
# shellcheck source=lib.sh
source "$here/lib.sh"
trap 'rc=$?; stop_lrs; rm -rf "$work"; exit "$rc"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d lrs -c "$1"; }
LRS_DLL=$a_dll use_seed "$dir"
sql "ANALYZE statements" >/dev/null
auth="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")
pg_pid=$(head -n 1 "$dir/postmaster.pid")

draw_statement_reads "$work"
declare -A format=([agent]="/xapi/statements?agent=%s&limit=100" [verb+activity]="/xapi/statements?verb=%s&limit=100")
declare -A ids=([agent]=agents.txt [verb+activity]=pairs.txt)

phase() { # READ SECONDS
    AUTH="$auth" IDS="$work/${ids[$1]}" PATH_FORMAT="${format[$1]}" PHASE_LABEL="$1" XAPI_VERSION=1.0.3 \
        wrk -t2 -c"$CONNS" -d"$2s" --timeout 30s --latency -s "$here/ids.lua" "${endpoint%/xapi}" 2>&1 | grep '^{"label"' || { echo "$1: wrk produced no summary" >&2; exit 1; }
}

# run BUILD DLL ENV READ: one measured read of a freshly started build.
run() {
    local kv line l0 l1 p0 p1
    for kv in $3; do export "${kv?}"; done
    lrs_dll=$2
    start_lrs Postgres "$conn" "$work/lrs-$1.log"
    for kv in $3; do unset "${kv%%=*}"; done
    phase "$4" "$WARM" >/dev/null
    l0=$(cpu_seconds "$lrs_pid") p0=$(cpu_seconds "$pg_pid")
    line=$(phase "$4" "$MEASURE")
    l1=$(cpu_seconds "$lrs_pid") p1=$(cpu_seconds "$pg_pid")
    stop_lrs
    node -e 'const o = JSON.parse(process.argv[1]); const per = (a, b) => (1000 * (b - a) / o.requests).toFixed(2).padStart(8);
        console.log([process.argv[2].padEnd(6), o.label.padEnd(14), o.req_per_s.toFixed(0).padStart(7), o.lat_ms.p50.toFixed(1).padStart(8),
        o.lat_ms.p99.toFixed(1).padStart(8), per(+process.argv[3], +process.argv[4]), per(+process.argv[5], +process.argv[6]), String(o.non_2xx).padStart(8),
        process.argv[7]].join(" "))' "$line" "$1" "$l0" "$l1" "$p0" "$p1" "$(cut -d' ' -f1 /proc/loadavg)"
}

echo "A: $a_dll ${A_ENV:-}"$'\n'"B: $b_dll ${B_ENV:-}"$'\n'"date: $(date -u +%FT%TZ); $CONNS connections, $WARM s warm-up, $MEASURE s measured"
printf '%-6s %-14s %7s %8s %8s %8s %8s %8s %s\n' build read "req/s" "p50 ms" "p99 ms" "LRS ms" "PG ms" "non-2xx" "load avg"
for ((r = 1; r <= ROUNDS; r++)); do
    for read in $READS; do
        [[ -n "${format[$read]:-}" ]] || { echo "unknown read '$read' (agent, verb+activity)" >&2; exit 2; }
        run A "$a_dll" "${A_ENV:-}" "$read"
        run B "$b_dll" "${B_ENV:-}" "$read"
    done
done
