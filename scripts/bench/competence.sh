#!/usr/bin/env bash
# Competence profiles at scale on PostgreSQL: a demo tenant of 10,000 people and about 1,000,000 statements, loaded
# with `demo seed` through the LRS's own statement store (evidence is extracted as in production), then
#   profile        wrk: GET /api/people/{random person}/profile          (PROFILE_CONNS connections, default 4)
#   gaps           wrk: GET /api/units/{random ~50-person unit}/gaps    (GAPS_CONNS connections, default 2)
#   needs          wrk: GET /api/units/{random ~50-person unit}/needs   (NEEDS_CONNS, default 2)
#   progress       wrk: GET /api/units/{random unit}/plans/bench-plan/progress, a plan begun 12 months back: 12 month ends
#                  and the month under way (PROGRESS_CONNS, default 2)
#   training-plan  wrk: GET /api/people/{random person with a training plan}/training-plan (TRAINING_PLAN_CONNS, default 4)
#   training-plans wrk: GET /api/units/{random unit whose members have training plans}/training-plans (TRAINING_PLANS_CONNS, default 2)
#   profiles-1000  curl: GET /api/profiles?limit=1000, once per run (informational)
#   expiring-30    curl: GET /api/expiring?withinDays=30, once per run (informational)
#   long-term-centre, long-term-unit, reach-centre
#                  curl: GET /api/follow-up/long-term for the last twelve months for the learning centre Metodikum (all
#                  employers) and for one unit, and /api/follow-up/reach for the centre, once per run
#   ingest-with / ingest-without
#                  wrk: POST batches of 100 demo statements (INGEST_CONNS connections, default 8) for the same time into
#                  two fresh tenants of the same database, one with the demo framework (evidence extracted), one without
#                  any framework; the order alternates from run to run. The ratio is taken within each run.
#
#   scripts/bench/competence.sh [--quick] [--runs N]
#
# The plans are made over HTTP after the load (plans.js): a development plan in every ~50-person unit, and a training plan,
# drafted and stored, for every member of PLAN_UNITS of those units.
# --quick: 1,000 people × 100 statements, 5 s phases (a smoke run of a few minutes).
# Output: a table on stdout (medians over the runs), JSON lines in scripts/bench/results/competence-DATE/results.jsonl.
# env: PEOPLE (10000; --quick 1000), PER_PERSON (statements per person, 100), PER_UNIT (people per unit, 50),
#      DURATION (read phase seconds; 30, --quick 5), INGEST_SECONDS (30, --quick 5), PAUSE (5, --quick 2),
#      PROFILE_CONNS (4), GAPS_CONNS (2), NEEDS_CONNS (2), PROGRESS_CONNS (2), TRAINING_PLAN_CONNS (4), TRAINING_PLANS_CONNS (2),
#      PLAN_UNITS (units whose members get training plans; 40, --quick 20), INGEST_CONNS (8), BODY_PEOPLE (people of the ingest bodies, 300),
#      BODY_PER_PERSON (their statements per person, as PER_PERSON; fewer means more evidence per statement), THREADS (2)
set -euo pipefail

usage() { echo "usage: $0 [--quick] [--runs N]" >&2; exit 2; }
quick="" runs=1
while (($#)); do
    case "$1" in
        --quick) quick=1 ;;
        --runs) shift; [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] || usage; runs=$1 ;;
        *) usage ;;
    esac
    shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
q() { [[ -n "$quick" ]] && echo "$1" || echo "$2"; }
PEOPLE=${PEOPLE:-$(q 1000 10000)}
PER_PERSON=${PER_PERSON:-100}
PER_UNIT=${PER_UNIT:-50}
DURATION=${DURATION:-$(q 5 30)}
INGEST_SECONDS=${INGEST_SECONDS:-$(q 5 30)}
PAUSE=${PAUSE:-$(q 2 5)}
PROFILE_CONNS=${PROFILE_CONNS:-4}
GAPS_CONNS=${GAPS_CONNS:-2}
NEEDS_CONNS=${NEEDS_CONNS:-2}
PROGRESS_CONNS=${PROGRESS_CONNS:-2}
TRAINING_PLAN_CONNS=${TRAINING_PLAN_CONNS:-4}
TRAINING_PLANS_CONNS=${TRAINING_PLANS_CONNS:-2}
PLAN_UNITS=${PLAN_UNITS:-$(q 20 40)}
INGEST_CONNS=${INGEST_CONNS:-8}
BODY_PEOPLE=${BODY_PEOPLE:-300}
BODY_PER_PERSON=${BODY_PER_PERSON:-$PER_PERSON}
THREADS=${THREADS:-2}
out="$here/results/competence-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
results="$out/results.jsonl"
work=$(mktemp -d /tmp/lrs-competence.XXXXXX)

# shellcheck source=lib.sh
source "$here/lib.sh"
cleanup() {
    local rc=$?
    bench_cleanup
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools
build_lrs
lrs_dir=$(dirname "$lrs_dll")
start_pg

# SQL on the benchmark's database; -At: bare values, one row a line.
# The LRS's CLI on the same database, run like the server (from its output directory).
cli() { (cd "$lrs_dir" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$pg_conn" dotnet "$lrs_dll" "$@"); }
tenant_id() { sql "SELECT id FROM tenants WHERE name = '$1'"; }

{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
    echo "dotnet: $(dotnet --version)"
    echo "postgresql: $(/usr/lib/postgresql/15/bin/postgres --version 2>/dev/null || echo none)"
    echo "wrk: $(wrk -v 2>&1 | head -n 1)"
    echo "commit: $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet HEAD -- src || echo ' (src modified)')"
    echo "date: $(date -u +%FT%TZ)  load avg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "settings: people=$PEOPLE per_person=$PER_PERSON per_unit=$PER_UNIT runs=$runs read=${DURATION}s ingest=${INGEST_SECONDS}s pause=${PAUSE}s" \
        "conns: profile=$PROFILE_CONNS gaps=$GAPS_CONNS needs=$NEEDS_CONNS progress=$PROGRESS_CONNS training-plan=$TRAINING_PLAN_CONNS" \
        "training-plans=$TRAINING_PLANS_CONNS ingest=$INGEST_CONNS plan_units=$PLAN_UNITS bodies: people=$BODY_PEOPLE per_person=$BODY_PER_PERSON"
} | tee "$out/machine.txt"

# record RUN JSON [EXTRA_JSON_MEMBERS]: one line of results.jsonl
record() {
    node -e 'const [run, json, extra] = process.argv.slice(1);
             const o = Object.assign({ run: +run }, JSON.parse(json), extra ? JSON.parse("{" + extra + "}") : {});
             console.log(JSON.stringify(o));' "$1" "$2" "${3:-}" | tee -a "$results"
}

# ---- 1. Load: people, framework and statements through the LRS's own stores, with evidence extracted.
echo "== load: $PEOPLE people × ~$PER_PERSON statements, units of ~$PER_UNIT ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
pg_pid=$(pg_postmaster_pid)
pg0=$(cpu_seconds "$pg_pid")
t0=$(date +%s.%N)
(cd "$lrs_dir" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$pg_conn" \
    /usr/bin/time -v -o "$out/seed.time" dotnet "$lrs_dll" demo seed --tenant bench --people "$PEOPLE" \
    --statements-per-person "$PER_PERSON" --people-per-unit "$PER_UNIT") >"$out/seed.log" 2>&1 \
    || { tail -n 40 "$out/seed.log" >&2; echo "demo seed failed" >&2; exit 1; }
t1=$(date +%s.%N)
pg1=$(cpu_seconds "$pg_pid")
cat "$out/seed.log"
key=$(sed -n 's/^ *key: *//p' "$out/seed.log" | head -n 1)
bench_secret=$(sed -n 's/^ *secret: *//p' "$out/seed.log" | head -n 1)
[[ -n "$key" && -n "$bench_secret" ]] || { echo "no credential in the seed output" >&2; exit 1; }
seed_cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u+s}' "$out/seed.time")
seed_rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$out/seed.time")
# Statistics as autovacuum would have them on a database in use, so plans do not depend on when it last ran.
a0=$(date +%s.%N)
sql "VACUUM ANALYZE"
a1=$(date +%s.%N)
bench=$(tenant_id bench)
counts=$(sql "SELECT (SELECT count(*) FROM statements WHERE tenant_id = $bench), (SELECT count(*) FROM evidence WHERE tenant_id = $bench),
    (SELECT count(*) FROM signoffs WHERE tenant_id = $bench), (SELECT count(*) FROM people WHERE tenant_id = $bench),
    (SELECT count(*) FROM org_units WHERE tenant_id = $bench), pg_database_size('lrs') / 1048576" | tr '|' ' ')
read -r n_statements n_evidence n_signoffs n_people n_units db_mib <<<"$counts"
record 0 "$(node -e 'const [s, e, pg, cpu, rss, an, st, ev, so, pe, un, db] = process.argv.slice(1).map(Number);
    console.log(JSON.stringify({ label: "load", seconds: +(e - s).toFixed(1), stmts_per_s: +(st / (e - s)).toFixed(0), seeder_cpu_s: cpu,
      pg_cpu_s: pg, seeder_peak_rss_mib: rss, vacuum_analyze_s: +(an).toFixed(1), statements: st, evidence: ev, signoffs: so, people: pe,
      units: un, database_mib: db }));' \
    "$t0" "$t1" "$(awk -v a="$pg0" -v b="$pg1" 'BEGIN{print b-a}')" "$seed_cpu" "$seed_rss" "$(awk -v a="$a0" -v b="$a1" 'BEGIN{print b-a}')" \
    "$n_statements" "$n_evidence" "$n_signoffs" "$n_people" "$n_units" "$db_mib")"

sql "SELECT id FROM people WHERE tenant_id = $bench" >"$work/people.txt"
sql "SELECT value FROM person_assignments WHERE tenant_id = $bench AND kind = 'unit' AND valid_to IS NULL
     GROUP BY value HAVING count(*) BETWEEN $((PER_UNIT * 9 / 10)) AND $((PER_UNIT * 11 / 10))" >"$work/units.txt"
unit_sizes=$(sql "SELECT min(n) || '-' || max(n) FROM (SELECT count(*) AS n FROM person_assignments WHERE tenant_id = $bench
     AND kind = 'unit' AND valid_to IS NULL GROUP BY value) u")
echo "ids: $(wc -l <"$work/people.txt") people, $(wc -l <"$work/units.txt") units of ~$PER_UNIT people (all units: $unit_sizes people)"
[[ -s "$work/people.txt" && -s "$work/units.txt" ]] || { echo "no people or units to ask for" >&2; exit 1; }

# ---- 2. The LRS on that database, and the ingest bodies.
start_lrs Postgres "$pg_conn" "$out/lrs.log"
base=${endpoint%/xapi}
export AUTH="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"

# The plans, as a client makes them: a development plan begun 12 months back in every unit asked for, and training plans for
# the members of PLAN_UNITS of them. The follow-up reads ask for the last twelve months, this one included.
head -n "$PLAN_UNITS" "$work/units.txt" >"$work/plan-units.txt"
sql "SELECT DISTINCT person_id FROM person_assignments WHERE tenant_id = $bench AND kind = 'unit' AND valid_to IS NULL
     AND value IN ($(sed "s/.*/'&'/" "$work/plan-units.txt" | paste -sd,))" >"$work/plan-people.txt"
echo "== plans: $(wc -l <"$work/units.txt") unit plans, training plans for the $(wc -l <"$work/plan-people.txt") people of $PLAN_UNITS units ($(date -u +%T))"
record 0 "$(node "$here/plans.js" "$base" "$work/units.txt" "$work/plan-people.txt" bench-plan 12 | sed 's/^{/{"label":"plans",/')"
sql "SELECT person_id FROM training_plans WHERE tenant_id = $bench" >"$work/trained.txt"
[[ -s "$work/trained.txt" ]] || { echo "no training plans to ask for" >&2; exit 1; }
sql "ANALYZE"
year_from=$(date -u -d "$(date -u +%Y-%m-15) -11 months" +%Y-%m)
year_to=$(date -u +%Y-%m)
follow_unit=$(head -n 1 "$work/units.txt")

cli demo statements --out "$work/bodies.jsonl" --people "$BODY_PEOPLE" --statements-per-person "$BODY_PER_PERSON" --batch 100 | tee "$out/bodies.txt"

# What else was going on when a phase began: the machine's load average and PostgreSQL's autovacuum workers.
context() {
    printf '"load_avg_1m":%s,"autovacuum_workers":%s' "$(cut -d' ' -f1 /proc/loadavg)" \
        "$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")"
}

# quiesce: a checkpoint, then wait (at most 3 minutes) until no autovacuum worker runs, then PAUSE seconds.
quiesce() {
    local waited=0
    sql "CHECKPOINT"
    while (($(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'") > 0 && waited < 180)); do
        sleep 2; waited=$((waited + 2))
    done
    ((waited == 0)) || echo "   (waited ${waited}s for autovacuum)"
    sleep "$PAUSE"
}

# read_phase RUN LABEL CONNS IDS PATH_FORMAT
read_phase() {
    local run=$1 label=$2 conns=$3 ids=$4 format=$5 lrs0 lrs1 pg0 pg1 t0 t1 line file="$out/run$1-$2.txt" ctx
    ctx=$(context)
    lrs0=$(cpu_seconds "$lrs_pid"); pg0=$(cpu_seconds "$pg_pid"); t0=$(date +%s.%N)
    IDS="$ids" PATH_FORMAT="$format" PHASE_LABEL="$label" \
        wrk -t"$((conns < THREADS ? conns : THREADS))" -c"$conns" -d"${DURATION}s" --timeout 10s --latency -s "$here/ids.lua" "$base" >"$file" 2>&1
    t1=$(date +%s.%N); lrs1=$(cpu_seconds "$lrs_pid"); pg1=$(cpu_seconds "$pg_pid")
    line=$(grep '^{"label"' "$file" | tail -n 1) || { cat "$file" >&2; echo "wrk produced no summary" >&2; exit 1; }
    record "$run" "$line" "$(awk -v a="$lrs0" -v b="$lrs1" -v c="$pg0" -v d="$pg1" -v s="$t0" -v e="$t1" -v n="$conns" \
        'BEGIN{w=e-s; printf "\"conns\":%d,\"lrs_cores\":%.2f,\"pg_cores\":%.2f,\"wall_s\":%.2f", n, (b-a)/w, (d-c)/w, w}'),$ctx"
}

# timed_get RUN LABEL PATH: one GET with curl, its time, size and how many items came back
timed_get() {
    local run=$1 label=$2 path=$3 result
    result=$(curl -s --max-time 600 -o "$work/$label.json" -w '%{http_code} %{time_total} %{size_download}' -H "Authorization: $AUTH" "$base$path")
    read -r code secs size <<<"$result"
    [[ "$code" == 200 ]] || { head -c 400 "$work/$label.json" >&2; echo "GET $path answered $code" >&2; exit 1; }
    record "$run" "$(node -e 'const fs = require("fs"); const [label, path, code, secs, size, file] = process.argv.slice(1);
        const body = JSON.parse(fs.readFileSync(file, "utf8"));
        const items = body.profiles ? body.profiles.length : body.items ? body.items.length : body.rows ? body.rows.length : null;
        console.log(JSON.stringify({ label, path, status: +code, ms: +(1000 * secs).toFixed(1), bytes: +size, items }));' \
        "$label" "$path" "$code" "$secs" "$size" "$work/$label.json")"
}

# ingest_phase RUN LABEL TENANT AUTH
ingest_phase() {
    local run=$1 label=$2 tenant=$3 auth=$4 tid lrs0 lrs1 pg0 pg1 t0 t1 line file="$out/run$1-$2.txt" s0 s1 e0 e1 ctx
    tid=$(tenant_id "$tenant")
    # Each phase starts from a clean checkpoint and without autovacuum at work, so neither pays for the other's dirty
    # pages and dead tuples (autovacuum may still start during a phase, triggered by its own inserts: see autovacuum_workers).
    quiesce
    s0=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $tid"); e0=$(sql "SELECT count(*) FROM evidence WHERE tenant_id = $tid")
    ctx=$(context)
    lrs0=$(cpu_seconds "$lrs_pid"); pg0=$(cpu_seconds "$pg_pid"); t0=$(date +%s.%N)
    AUTH="$auth" BODIES="$work/bodies.jsonl" STMTS_PER_REQ=100 PHASE_LABEL="$label" XAPI_VERSION=1.0.3 \
        wrk -t"$THREADS" -c"$INGEST_CONNS" -d"${INGEST_SECONDS}s" --timeout 30s --latency -s "$here/post.lua" "$endpoint/statements" >"$file" 2>&1
    t1=$(date +%s.%N); lrs1=$(cpu_seconds "$lrs_pid"); pg1=$(cpu_seconds "$pg_pid")
    s1=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $tid"); e1=$(sql "SELECT count(*) FROM evidence WHERE tenant_id = $tid")
    line=$(grep '^{"label"' "$file" | tail -n 1) || { cat "$file" >&2; echo "wrk produced no summary" >&2; exit 1; }
    record "$run" "$line" "$(awk -v a="$lrs0" -v b="$lrs1" -v c="$pg0" -v d="$pg1" -v s="$t0" -v e="$t1" -v n="$INGEST_CONNS" \
        -v st=$((s1 - s0)) -v ev=$((e1 - e0)) \
        'BEGIN{w=e-s; printf "\"conns\":%d,\"lrs_cores\":%.2f,\"pg_cores\":%.2f,\"wall_s\":%.2f,\"stored\":%d,\"evidence_added\":%d", n, (b-a)/w, (d-c)/w, w, st, ev}'),$ctx"
}

# new_tenant NAME [FRAMEWORK_FILE]: a tenant with a statements/write credential; prints "Basic ..."
new_tenant() {
    local name=$1 framework=${2:-} created k s
    cli tenants create "$name" >/dev/null
    [[ -n "$framework" ]] && cli framework import --tenant "$name" "$framework" >/dev/null
    created=$(cli credentials create --tenant "$name" --name ingest --scopes statements/write)
    k=$(sed -n 's/^ *key: *//p' <<<"$created"); s=$(sed -n 's/^ *secret: *//p' <<<"$created")
    printf 'Basic %s' "$(printf '%s:%s' "$k" "$s" | base64 -w0)"
}

warm_up() {
    # JIT, connection pool, credential and framework caches, the tenant's activity definitions.
    IDS="$work/people.txt" PATH_FORMAT="/api/people/%s/profile" wrk -t1 -c2 -d3s -s "$here/ids.lua" "$base" >/dev/null 2>&1
    IDS="$work/units.txt" PATH_FORMAT="/api/units/%s/gaps" wrk -t1 -c1 -d3s -s "$here/ids.lua" "$base" >/dev/null 2>&1
    IDS="$work/units.txt" PATH_FORMAT="/api/units/%s/needs" wrk -t1 -c1 -d3s -s "$here/ids.lua" "$base" >/dev/null 2>&1
    IDS="$work/units.txt" PATH_FORMAT="/api/units/%s/plans/bench-plan/progress" wrk -t1 -c1 -d3s -s "$here/ids.lua" "$base" >/dev/null 2>&1
    IDS="$work/trained.txt" PATH_FORMAT="/api/people/%s/training-plan" wrk -t1 -c2 -d3s -s "$here/ids.lua" "$base" >/dev/null 2>&1
    IDS="$work/plan-units.txt" PATH_FORMAT="/api/units/%s/training-plans" wrk -t1 -c1 -d3s -s "$here/ids.lua" "$base" >/dev/null 2>&1
}

# Reads first, all runs of them, on the database as loaded: the ingest phases add hundreds of thousands of rows to
# the shared tables, and the autovacuum that follows them would be measured along with the reads.
for run in $(seq 1 "$runs"); do
    echo "== reads, run $run/$runs ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    quiesce
    warm_up
    read_phase "$run" profile "$PROFILE_CONNS" "$work/people.txt" "/api/people/%s/profile"
    sleep "$PAUSE"
    read_phase "$run" gaps "$GAPS_CONNS" "$work/units.txt" "/api/units/%s/gaps"
    sleep "$PAUSE"
    timed_get "$run" profiles-1000 "/api/profiles?limit=1000"
    timed_get "$run" expiring-30 "/api/expiring?withinDays=30"
    sleep "$PAUSE"
    read_phase "$run" needs "$NEEDS_CONNS" "$work/units.txt" "/api/units/%s/needs"
    sleep "$PAUSE"
    read_phase "$run" progress "$PROGRESS_CONNS" "$work/units.txt" "/api/units/%s/plans/bench-plan/progress"
    sleep "$PAUSE"
    read_phase "$run" training-plan "$TRAINING_PLAN_CONNS" "$work/trained.txt" "/api/people/%s/training-plan"
    sleep "$PAUSE"
    read_phase "$run" training-plans "$TRAINING_PLANS_CONNS" "$work/plan-units.txt" "/api/units/%s/training-plans"
    sleep "$PAUSE"
    timed_get "$run" long-term-centre "/api/follow-up/long-term?from=$year_from&to=$year_to&centre=metodikum"
    timed_get "$run" long-term-unit "/api/follow-up/long-term?from=$year_from&to=$year_to&unit=$follow_unit"
    timed_get "$run" reach-centre "/api/follow-up/reach?from=$year_from&to=$year_to&centre=metodikum"
    sleep "$PAUSE"
done

for run in $(seq 1 "$runs"); do
    echo "== ingest, run $run/$runs ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    with_auth=$(new_tenant "ingest-with-$run" "$lrs_dir/Demo/care-framework.json")
    without_auth=$(new_tenant "ingest-without-$run")
    for auth in "$with_auth" "$without_auth"; do
        for _ in 1 2; do
            curl -sf -o /dev/null -H "Authorization: $auth" -H "X-Experience-API-Version: 1.0.3" -H 'Content-Type: application/json' \
                --data-binary "$(head -n 1 "$work/bodies.jsonl")" "$endpoint/statements" || { echo "warm-up POST failed" >&2; exit 1; }
        done
    done
    if ((run % 2)); then
        ingest_phase "$run" ingest-with "ingest-with-$run" "$with_auth"
        ingest_phase "$run" ingest-without "ingest-without-$run" "$without_auth"
    else
        ingest_phase "$run" ingest-without "ingest-without-$run" "$without_auth"
        ingest_phase "$run" ingest-with "ingest-with-$run" "$with_auth"
    fi
    sleep "$PAUSE"
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/"$lrs_pid"/status)
record 0 "{\"label\":\"lrs-peak-rss\",\"vmhwm_mib\":$((hwm / 1024))}"

echo
node - "$results" <<'EOF' | tee "$out/summary.txt"
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = (xs) => { const s = xs.filter((x) => x != null && !isNaN(x)).sort((a, b) => a - b); if (!s.length) return NaN;
  const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const runs = Math.max(...rows.map((r) => r.run));
const of = (label) => rows.filter((r) => r.label === label);
const med = (label, f) => median(of(label).map(f));
const fmt = (x, d = 0) => (isNaN(x) ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const load = of('load')[0];
console.log(`load: ${fmt(load.statements)} statements, ${fmt(load.people)} people in ${fmt(load.units)} units, ${fmt(load.evidence)} evidence rows, ` +
  `${fmt(load.signoffs)} sign-offs in ${fmt(load.seconds, 1)} s (${fmt(load.stmts_per_s)} statements/s; seeder CPU ${fmt(load.seeder_cpu_s)} s, ` +
  `PostgreSQL CPU ${fmt(load.pg_cpu_s)} s, seeder peak RSS ${fmt(load.seeder_peak_rss_mib)} MiB); VACUUM ANALYZE ${fmt(load.vacuum_analyze_s, 1)} s; database ${fmt(load.database_mib)} MiB`);
console.log(`\nmedians over ${runs} run(s)`);
console.log('| phase | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | LRS cores | PostgreSQL cores | non-2xx |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
const phases = ['profile', 'gaps', 'needs', 'progress', 'training-plan', 'training-plans'];
for (const p of phases) {
  if (!of(p).length) continue;
  console.log(`| ${p} | ${of(p)[0].conns} | ${fmt(med(p, (r) => r.req_per_s), 1)} | ${fmt(med(p, (r) => r.lat_ms.p50), 1)} | ${fmt(med(p, (r) => r.lat_ms.p90), 1)} | ` +
    `${fmt(med(p, (r) => r.lat_ms.p99), 1)} | ${fmt(med(p, (r) => r.lat_ms.max), 1)} | ${fmt(med(p, (r) => r.lrs_cores), 2)} | ${fmt(med(p, (r) => r.pg_cores), 2)} | ${fmt(med(p, (r) => r.non_2xx))} |`);
}
for (const p of phases)
  if (of(p).length > 1) console.log(`${p} p99 per run: ${of(p).map((r) => fmt(r.lat_ms.p99, 1)).join(', ')} ms`);
const plans = of('plans')[0];
if (plans) console.log(`plans made over HTTP: ${fmt(plans.unitPlans)} unit plans, ${fmt(plans.trainingPlans)} training plans (${fmt(plans.emptyDrafts)} empty drafts) in ${fmt(plans.seconds, 1)} s`);
for (const p of ['profiles-1000', 'expiring-30', 'long-term-centre', 'long-term-unit', 'reach-centre'])
  if (of(p).length) console.log(`${of(p)[0].path}: ${fmt(med(p, (r) => r.ms), 0)} ms (median of ${of(p).length}; ${fmt(med(p, (r) => r.items))} items, ${fmt(med(p, (r) => r.bytes / 1024))} KiB)`);
console.log('\n| ingest, batches of 100 | statements/s | p50 ms | p99 ms | LRS cores | PostgreSQL cores | evidence rows per statement | non-2xx |');
console.log('|---|---|---|---|---|---|---|---|');
for (const p of ['ingest-without', 'ingest-with'])
  if (of(p).length) console.log(`| ${p} | ${fmt(med(p, (r) => r.stmts_per_s_ok))} | ${fmt(med(p, (r) => r.lat_ms.p50))} | ${fmt(med(p, (r) => r.lat_ms.p99))} | ` +
    `${fmt(med(p, (r) => r.lrs_cores), 2)} | ${fmt(med(p, (r) => r.pg_cores), 2)} | ${fmt(med(p, (r) => r.evidence_added / r.stored), 3)} | ${fmt(med(p, (r) => r.non_2xx))} |`);
const ratios = [...Array(runs).keys()].map((i) => {
  const w = rows.find((r) => r.run === i + 1 && r.label === 'ingest-with'), wo = rows.find((r) => r.run === i + 1 && r.label === 'ingest-without');
  return w && wo ? w.stmts_per_s_ok / wo.stmts_per_s_ok : NaN; });
const ratio = median(ratios);
console.log(`with / without, per run: ${ratios.map((r) => fmt(100 * r, 1) + '%').join(', ')}; median ${fmt(100 * ratio, 1)}%`);
const rss = of('lrs-peak-rss')[0];
if (rss) console.log(`LRS peak RSS: ${rss.vmhwm_mib} MiB`);
const check = (name, ok, value) => console.log(`${ok ? 'met   ' : 'MISSED'}  ${name}: ${value}`);
console.log('');
check('profile p99 < 20 ms', med('profile', (r) => r.lat_ms.p99) < 20, fmt(med('profile', (r) => r.lat_ms.p99), 1) + ' ms');
check('50-person unit gaps p99 < 100 ms', med('gaps', (r) => r.lat_ms.p99) < 100, fmt(med('gaps', (r) => r.lat_ms.p99), 1) + ' ms');
check('ingest with evidence >= 85% of without', ratio >= 0.85, fmt(100 * ratio, 1) + '%');
const p99 = (label) => med(label, (r) => r.lat_ms.p99);
check('50-person unit needs p99 < 100 ms', p99('needs') < 100, fmt(p99('needs'), 1) + ' ms');
check('unit plan progress (12 month ends) p99 < 200 ms', p99('progress') < 200, fmt(p99('progress'), 1) + ' ms');
check('training plan with progress p99 < 20 ms', p99('training-plan') < 20, fmt(p99('training-plan'), 1) + ' ms');
const ms = (label) => med(label, (r) => r.ms);
check('follow-up long-term, a year, centre < 1 s', ms('long-term-centre') < 1000, fmt(ms('long-term-centre'), 0) + ' ms');
check('follow-up reach, a year, centre < 1 s', ms('reach-centre') < 1000, fmt(ms('reach-centre'), 0) + ' ms');
check('follow-up long-term, a year, unit < 200 ms', ms('long-term-unit') < 200, fmt(ms('long-term-unit'), 0) + ' ms');
EOF
echo "results: $out"
