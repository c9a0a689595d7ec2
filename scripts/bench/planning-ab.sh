#!/usr/bin/env bash
# The competence planning reads of two builds side by side, on one PostgreSQL database: a demo tenant (`demo seed`) with
# the plans of competence.sh (plans.js), then each read against build A and build B in turn, ROUNDS times, so that both
# meet the same machine. On a busy shared machine only such ratios mean anything; competence.sh gives the figures.
#
#   scripts/bench/planning-ab.sh A_DLL B_DLL      (each the Lrs.Api.dll of a Release build; B also seeds)
#
# env: PEOPLE (1000), PER_PERSON (100), PER_UNIT (50), PLAN_UNITS (20), DURATION (phase seconds, 5), ROUNDS (3)
# Output: JSON lines in scripts/bench/results/planning-ab-DATE/results.jsonl and a table of medians per read and build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
PEOPLE=${PEOPLE:-1000} PER_PERSON=${PER_PERSON:-100} PER_UNIT=${PER_UNIT:-50} PLAN_UNITS=${PLAN_UNITS:-20}
DURATION=${DURATION:-5} ROUNDS=${ROUNDS:-3}
# shellcheck source=lib.sh
source "$here/lib.sh"
ab_start planning-ab "$@"

echo "== load: $PEOPLE people × ~$PER_PERSON statements ($(date -u +%T))"
(cd "$(dirname "$b_dll")" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$pg_conn" dotnet "$b_dll" demo seed --tenant bench \
    --people "$PEOPLE" --statements-per-person "$PER_PERSON" --people-per-unit "$PER_UNIT") >"$out/seed.log" 2>&1 \
    || { tail -n 40 "$out/seed.log" >&2; echo "demo seed failed" >&2; exit 1; }
key=$(sed -n 's/^ *key: *//p' "$out/seed.log" | head -n 1)
bench_secret=$(sed -n 's/^ *secret: *//p' "$out/seed.log" | head -n 1)
export AUTH="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
sql "VACUUM ANALYZE"
bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")
sql "SELECT value FROM person_assignments WHERE tenant_id = $bench AND kind = 'unit' AND valid_to IS NULL
     GROUP BY value HAVING count(*) BETWEEN $((PER_UNIT * 9 / 10)) AND $((PER_UNIT * 11 / 10))" >"$work/units.txt"
head -n "$PLAN_UNITS" "$work/units.txt" >"$work/plan-units.txt"
sql "SELECT DISTINCT person_id FROM person_assignments WHERE tenant_id = $bench AND kind = 'unit' AND valid_to IS NULL
     AND value IN ($(sed "s/.*/'&'/" "$work/plan-units.txt" | paste -sd,))" >"$work/plan-people.txt"

lrs_dll=$a_dll; start_lrs Postgres "$pg_conn" "$out/lrs-a.log"; a_pid=$lrs_pid; a_base=${endpoint%/xapi}
lrs_dll=$b_dll; start_lrs Postgres "$pg_conn" "$out/lrs-b.log"; b_pid=$lrs_pid; b_base=${endpoint%/xapi}
echo "== plans ($(date -u +%T))"
node "$here/plans.js" "$b_base" "$work/units.txt" "$work/plan-people.txt" bench-plan 12 | tee "$out/plans.json"
sql "SELECT person_id FROM training_plans WHERE tenant_id = $bench" >"$work/trained.txt"
sql "ANALYZE"

reads=("needs|$work/units.txt|/api/units/%s/needs|2" "progress|$work/units.txt|/api/units/%s/plans/bench-plan/progress|2"
    "training-plan|$work/trained.txt|/api/people/%s/training-plan|4" "training-plans|$work/plan-units.txt|/api/units/%s/training-plans|2")
# phase ROUND BUILD PID BASE LABEL IDS FORMAT CONNS [SECONDS]: one wrk phase, recorded with the server's CPU per request
phase() {
    local round=$1 build=$2 pid=$3 base=$4 label=$5 ids=$6 format=$7 conns=$8 seconds=${9:-$DURATION} c0 c1 t0 t1 line
    c0=$(cpu_seconds "$pid"); t0=$(date +%s.%N)
    line=$(IDS="$ids" PATH_FORMAT="$format" PHASE_LABEL="$label" wrk -t"$((conns < 2 ? conns : 2))" -c"$conns" -d"${seconds}s" --timeout 10s \
        -s "$here/ids.lua" "$base" 2>&1 | grep '^{"label"') || { echo "wrk produced no summary" >&2; exit 1; }
    c1=$(cpu_seconds "$pid"); t1=$(date +%s.%N)
    ((round > 0)) || return 0
    node -e 'const [round, build, line, c0, c1, t0, t1, load] = process.argv.slice(1); const o = JSON.parse(line);
        o.lrs_cpu_ms_per_req = +(1000 * (c1 - c0) / Math.max(1, o.requests)).toFixed(2);
        console.log(JSON.stringify({ round: +round, build, ...o, wall_s: +(t1 - t0).toFixed(2), load_avg_1m: +load }));' \
        "$round" "$build" "$line" "$c0" "$c1" "$t0" "$t1" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
}
echo "== warm-up ($(date -u +%T))"
for r in "${reads[@]}"; do
    IFS='|' read -r label ids format conns <<<"$r"
    phase 0 A "$a_pid" "$a_base" "$label" "$ids" "$format" 1 3
    phase 0 B "$b_pid" "$b_base" "$label" "$ids" "$format" 1 3
done
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round/$ROUNDS ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    for r in "${reads[@]}"; do
        IFS='|' read -r label ids format conns <<<"$r"
        # Which build goes first alternates from round to round.
        if ((round % 2)); then order=(A B); else order=(B A); fi
        for build in "${order[@]}"; do
            if [[ $build == A ]]; then phase "$round" A "$a_pid" "$a_base" "$label" "$ids" "$format" "$conns"
            else phase "$round" B "$b_pid" "$b_base" "$label" "$ids" "$format" "$conns"; fi
        done
    done
done

echo
node - "$results" <<'EOF' | tee "$out/summary.txt"
const rows = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const f = (x) => x.toFixed(1);
console.log(`medians over ${Math.max(...rows.map((r) => r.round))} rounds, A then B`);
console.log('| read | p50 ms A | p50 ms B | p99 ms A | p99 ms B | req/s A | req/s B | LRS CPU ms/request A | B | B/A p99 |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const label of [...new Set(rows.map((r) => r.label))]) {
  const m = (build, g) => median(rows.filter((r) => r.label === label && r.build === build).map(g));
  const p99 = (b) => m(b, (r) => r.lat_ms.p99);
  console.log(`| ${label} | ${f(m('A', (r) => r.lat_ms.p50))} | ${f(m('B', (r) => r.lat_ms.p50))} | ${f(p99('A'))} | ${f(p99('B'))} | ` +
    `${f(m('A', (r) => r.req_per_s))} | ${f(m('B', (r) => r.req_per_s))} | ${f(m('A', (r) => r.lrs_cpu_ms_per_req))} | ${f(m('B', (r) => r.lrs_cpu_ms_per_req))} | ${(p99('B') / p99('A')).toFixed(2)} |`);
}
EOF
echo "results: $out"
