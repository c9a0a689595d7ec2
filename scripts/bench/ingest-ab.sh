#!/usr/bin/env bash
# Ingest of two builds side by side, on one PostgreSQL server: build A writes database lrs, build B database lrs_b, and
# each load (batches of 100 at 8 connections, single statements at 16) runs against A and B in turn, ROUNDS times, the
# order alternating, so that both meet the same machine. On a busy shared machine only such pairs compare a change;
# the yardstick's side-by-side.sh gives the ratio to the ceiling.
#
#   scripts/bench/ingest-ab.sh A_DLL B_DLL      (each the Lrs.Api.dll of a Release build)
#
# env: DURATION (phase seconds, 10), ROUNDS (3), WARMUP (seconds of each load per build before the rounds, 30: tiered
#      compilation still takes about a tenth of the LRS's CPU 20 s into a load, RESULTS §27), BATCH_CONNS (8),
#      SINGLE_CONNS (16), A_ENV and B_ENV (settings for build A's or B's process, space-separated NAME=VALUE, e.g.
#      B_ENV="DOTNET_gcServer=0": one DLL twice compares runtime settings),
#      B_SQL (SQL run in B's database once B has started and migrated it, e.g. an index changed: one DLL twice compares schemas),
#      LOADS (the loads to run, "batch single"; "single" alone keeps batches off the connections, as with content that
#      sends statements one at a time: PostgreSQL's choice of plan for a prepared statement follows what it ran before),
#      FRAMEWORK (a competence framework document, e.g. src/Lrs.Api/Demo/care-framework.json, imported into both builds'
#      tenants before the warm-up: statements stored as a tenant with a framework stores them, with evidence, tasks, events),
#      BATCH_BODIES (a file of request bodies of 100 statements each, instead of gen-statements.js's: e.g. written by
#      `dotnet Lrs.Api.dll demo statements --out FILE --people 300 --statements-per-person 100 --batch 100`, which the
#      demo framework's rules select)
# Output: JSON lines in scripts/bench/results/ingest-ab-DATE/results.jsonl and a table of medians per load and build:
# statements/s, p50 and p99, and the CPU of the LRS and of PostgreSQL per statement (µs, from /proc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
DURATION=${DURATION:-10} ROUNDS=${ROUNDS:-3} WARMUP=${WARMUP:-30} BATCH_CONNS=${BATCH_CONNS:-8} SINGLE_CONNS=${SINGLE_CONNS:-16}
# shellcheck source=lib.sh
source "$here/lib.sh"
ab_start ingest-ab "$@"
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE lrs_b" >/dev/null
node "$here/gen-statements.js" --out "$work/data" --single 20000 --batches 300 --batch-size 100 >/dev/null

settings() { local s; for s in $2; do if [[ $1 == set ]]; then export "${s?}"; else unset "${s%%=*}"; fi; done; }
settings set "${A_ENV:-}"
lrs_dll=$a_dll; start_lrs Postgres "$pg_conn" "$out/lrs-a.log"; a_pid=$lrs_pid; a_endpoint=$endpoint a_auth="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"
settings unset "${A_ENV:-}"; settings set "${B_ENV:-}"
lrs_dll=$b_dll; start_lrs Postgres "${pg_conn/Database=lrs/Database=lrs_b}" "$out/lrs-b.log"; b_pid=$lrs_pid; b_endpoint=$endpoint b_auth="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"
settings unset "${B_ENV:-}"
[[ -z ${BATCH_BODIES:-} ]] || cp "$BATCH_BODIES" "$work/data/batch100.jsonl"
if [[ -n ${FRAMEWORK:-} ]]; then
    framework=$(realpath "$FRAMEWORK")
    for pair in "$a_dll|lrs" "$b_dll|lrs_b"; do
        dll=${pair%%|*} db=${pair##*|}
        tenant=$(psql -tA -h 127.0.0.1 -p "$pg_port" -U postgres -d "$db" -c "SELECT name FROM tenants ORDER BY id LIMIT 1")
        (cd "$(dirname "$dll")" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="${pg_conn/Database=lrs/Database=$db}"             dotnet "$dll" framework import --tenant "$tenant" "$framework" >/dev/null)
    done
fi
[[ -z ${B_SQL:-} ]] || psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d lrs_b -c "$B_SQL" >/dev/null
pg_pid=$(pg_postmaster_pid)

loads=()
for l in "batch|batch100.jsonl|100|$BATCH_CONNS" "single|single.jsonl|1|$SINGLE_CONNS"; do
    [[ " ${LOADS:-batch single} " == *" ${l%%|*} "* ]] && loads+=("$l")
done
((${#loads[@]})) || { echo "LOADS names none of: batch single" >&2; exit 2; }
# phase ROUND BUILD PID ENDPOINT AUTH LABEL BODIES PER CONNS [SECONDS]: one wrk phase, with the CPU of both servers per statement
phase() {
    local round=$1 build=$2 pid=$3 ep=$4 auth=$5 label=$6 bodies=$7 per=$8 conns=$9 seconds=${10:-$DURATION} l0 l1 p0 p1 t0 t1 line
    l0=$(cpu_seconds "$pid"); p0=$(cpu_seconds "$pg_pid"); t0=$(date +%s.%N)
    line=$(AUTH="$auth" XAPI_VERSION=1.0.3 BODIES="$work/data/$bodies" STMTS_PER_REQ="$per" PHASE_LABEL="$label" \
        wrk -t2 -c"$conns" -d"${seconds}s" --timeout 30s --latency -s "$here/post.lua" "$ep/statements" 2>&1 | grep '^{"label"') \
        || { echo "wrk produced no summary" >&2; exit 1; }
    l1=$(cpu_seconds "$pid"); p1=$(cpu_seconds "$pg_pid"); t1=$(date +%s.%N)
    ((round > 0)) || return 0
    node -e 'const [round, build, line, l0, l1, p0, p1, t0, t1, load] = process.argv.slice(1); const o = JSON.parse(line);
        const n = Math.max(1, o.ok_2xx * o.stmts_per_req);
        console.log(JSON.stringify({ round: +round, build, ...o, lrs_cpu_us_per_stmt: Math.round(1e6 * (l1 - l0) / n),
            pg_cpu_us_per_stmt: Math.round(1e6 * (p1 - p0) / n), wall_s: +(t1 - t0).toFixed(2), load_avg_1m: +load }));' \
        "$round" "$build" "$line" "$l0" "$l1" "$p0" "$p1" "$t0" "$t1" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
    sleep 2
}
echo "A: $a_dll ${A_ENV:-}"; echo "B: $b_dll ${B_ENV:-}${B_SQL:+ SQL: $B_SQL}"
[[ -z ${FRAMEWORK:-} ]] || echo "framework: $FRAMEWORK"; [[ -z ${BATCH_BODIES:-} ]] || echo "batch bodies: $BATCH_BODIES"
echo "== warm-up ($(date -u +%T))"
for l in "${loads[@]}"; do
    IFS='|' read -r label bodies per conns <<<"$l"
    phase 0 A "$a_pid" "$a_endpoint" "$a_auth" "$label" "$bodies" "$per" "$conns" "$WARMUP"
    phase 0 B "$b_pid" "$b_endpoint" "$b_auth" "$label" "$bodies" "$per" "$conns" "$WARMUP"
done
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    for l in "${loads[@]}"; do
        IFS='|' read -r label bodies per conns <<<"$l"
        if ((round % 2)); then order=(A B); else order=(B A); fi
        for build in "${order[@]}"; do
            if [[ $build == A ]]; then phase "$round" A "$a_pid" "$a_endpoint" "$a_auth" "$label" "$bodies" "$per" "$conns"
            else phase "$round" B "$b_pid" "$b_endpoint" "$b_auth" "$label" "$bodies" "$per" "$conns"; fi
        done
    done
done

echo
node - "$results" <<'EOF' | tee "$out/summary.txt"
const rows = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const f = (x, d = 0) => x.toFixed(d);
console.log(`medians over ${Math.max(...rows.map((r) => r.round))} rounds; non-2xx: ${rows.reduce((n, r) => n + r.non_2xx, 0)}`);
console.log('| load | stmt/s A | stmt/s B | p50 ms A | p50 ms B | p99 ms A | p99 ms B | LRS µs/stmt A | B | PostgreSQL µs/stmt A | B |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const label of [...new Set(rows.map((r) => r.label))]) {
  const m = (build, g) => median(rows.filter((r) => r.label === label && r.build === build).map(g));
  console.log(`| ${label} | ${f(m('A', (r) => r.stmts_per_s_ok))} | ${f(m('B', (r) => r.stmts_per_s_ok))} | ${f(m('A', (r) => r.lat_ms.p50), 1)} | ${f(m('B', (r) => r.lat_ms.p50), 1)} | ` +
    `${f(m('A', (r) => r.lat_ms.p99), 1)} | ${f(m('B', (r) => r.lat_ms.p99), 1)} | ${f(m('A', (r) => r.lrs_cpu_us_per_stmt))} | ${f(m('B', (r) => r.lrs_cpu_us_per_stmt))} | ` +
    `${f(m('A', (r) => r.pg_cpu_us_per_stmt))} | ${f(m('B', (r) => r.pg_cpu_us_per_stmt))} |`);
}
EOF
echo "results: $out"
