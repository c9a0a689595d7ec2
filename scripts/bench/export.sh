#!/usr/bin/env bash
# The export of one person (GET /api/people/{id}/export, the right of access) in a large PostgreSQL store:
#   load     demo seed of PEOPLE people × PER_PERSON statements (about 1,000,000 by default, through the LRS's own
#            statement store), then EXTRA statements about one of its people posted over HTTP in batches of 100
#            (nine in ten as actor, one in ten as instructor of somebody else), then VACUUM ANALYZE
#   quiet    curl: the person's export, RUNS times, wall time to the last byte, ZIP size and statement count
#   ingest   the same while wrk posts batches of 100 demo statements into the same tenant (INGEST_CONNS connections)
#   cli      `people export` of the same person into a file, once, with its wall time and peak RSS
#
#   scripts/bench/export.sh [--quick]
#
# --quick: 1,000 people (about 100,000 statements), 3 runs.
# Output: a table on stdout (medians), JSON lines in scripts/bench/results/export-DATE/results.jsonl.
# env: PEOPLE (10000; --quick 1000), PER_PERSON (100), EXTRA (2000), RUNS (5; --quick 3), INGEST_CONNS (4), THREADS (2)
set -euo pipefail

quick=""
case "${1:-}" in
    --quick) quick=1 ;;
    "") ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
q() { [[ -n "$quick" ]] && echo "$1" || echo "$2"; }
PEOPLE=${PEOPLE:-$(q 1000 10000)}
PER_PERSON=${PER_PERSON:-100}
EXTRA=${EXTRA:-2000}
RUNS=${RUNS:-$(q 3 5)}
INGEST_CONNS=${INGEST_CONNS:-4}
THREADS=${THREADS:-2}
out="$here/results/export-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
results="$out/results.jsonl"
work=$(mktemp -d /tmp/lrs-export.XXXXXX)

# shellcheck source=lib.sh
source "$here/lib.sh"
cleanup() {
    local rc=$?
    [[ -n "${wrk_pid:-}" ]] && kill "$wrk_pid" 2>/dev/null
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

cli() { (cd "$lrs_dir" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$pg_conn" dotnet "$lrs_dll" "$@"); }
record() { echo "$1" | tee -a "$results"; }

{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
    echo "dotnet: $(dotnet --version); postgresql: $(/usr/lib/postgresql/15/bin/postgres --version 2>/dev/null || echo none)"
    echo "commit: $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet HEAD -- src || echo ' (src modified)')"
    echo "date: $(date -u +%FT%TZ)  load avg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "settings: people=$PEOPLE per_person=$PER_PERSON extra=$EXTRA runs=$RUNS ingest_conns=$INGEST_CONNS"
} | tee "$out/machine.txt"

# ---- 1. Load.
echo "== load: $PEOPLE people × ~$PER_PERSON statements ($(date -u +%T))"
t0=$(date +%s.%N)
cli demo seed --tenant bench --people "$PEOPLE" --statements-per-person "$PER_PERSON" --people-per-unit 50 >"$out/seed.log" 2>&1 \
    || { tail -n 40 "$out/seed.log" >&2; echo "demo seed failed" >&2; exit 1; }
t1=$(date +%s.%N)
key=$(sed -n 's/^ *key: *//p' "$out/seed.log" | head -n 1)
bench_secret=$(sed -n 's/^ *secret: *//p' "$out/seed.log" | head -n 1)
export AUTH="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")
person=$(sql "SELECT id FROM people WHERE tenant_id = $bench ORDER BY id LIMIT 1")
agent=$(sql "SELECT agent FROM person_agents WHERE tenant_id = $bench AND person_id = '$person' AND agent LIKE '%homePage%' LIMIT 1")
echo "seeded in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s; the person: $person $agent"

start_lrs Postgres "$pg_conn" "$out/lrs.log"
base=${endpoint%/xapi}
# EXTRA statements about the person, as actor and, one in ten, as instructor of somebody who is no person of the tenant.
node - "$agent" "$EXTRA" >"$work/extra.jsonl" <<'EOF'
const [agent, n] = [JSON.parse(process.argv[2]), +process.argv[3]];
const verbs = ['http://adlnet.gov/expapi/verbs/completed', 'http://adlnet.gov/expapi/verbs/attended', 'http://adlnet.gov/expapi/verbs/passed'];
let batch = [];
for (let i = 0; i < n; i++) {
  const s = {
    actor: i % 10 === 9 ? { objectType: 'Agent', mbox: `mailto:trainee-${i}@bench.example` } : agent,
    verb: { id: verbs[i % verbs.length] },
    object: { objectType: 'Activity', id: `https://bench.example/activities/export/${i % 97}`,
              definition: { name: { 'sv-SE': `Utbildning ${i % 97}` }, type: 'http://adlnet.gov/expapi/activities/course' } },
    result: { success: true, completion: true, score: { scaled: ((i * 37) % 100) / 100 } },
    timestamp: new Date(Date.UTC(2025, 0, 1) + i * 3600e3).toISOString(),
  };
  if (i % 10 === 9) s.context = { instructor: agent };
  batch.push(s);
  if (batch.length === 100) { console.log(JSON.stringify(batch)); batch = []; }
}
if (batch.length) console.log(JSON.stringify(batch));
EOF
while IFS= read -r body; do
    curl -sf -o /dev/null -H "Authorization: $AUTH" -H 'X-Experience-API-Version: 1.0.3' -H 'Content-Type: application/json' \
        --data-binary "$body" "$endpoint/statements" || { echo "posting the person's statements failed" >&2; exit 1; }
done <"$work/extra.jsonl"
sql "VACUUM ANALYZE"
counts=$(sql "SELECT (SELECT count(*) FROM statements WHERE tenant_id = $bench), (SELECT count(*) FROM statements), pg_database_size('lrs') / 1048576" | tr '|' ' ')
read -r n_tenant n_all db_mib <<<"$counts"
record "{\"label\":\"load\",\"seed_s\":$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}'),\"statements_tenant\":$n_tenant,\"statements_all\":$n_all,\"database_mib\":$db_mib,\"person\":\"$person\"}"

# export RUN LABEL: one export with curl; its time, size and statement count.
export_once() {
    local run=$1 label=$2 result code secs size statements
    result=$(curl -s -o "$work/export.zip" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}' -H "Authorization: $AUTH" "$base/api/people/$person/export")
    read -r code first secs size <<<"$result"
    [[ "$code" == 200 ]] || { head -c 400 "$work/export.zip" >&2; echo "export answered $code" >&2; exit 1; }
    statements=$(unzip -p "$work/export.zip" statements.ndjson | wc -l)
    record "{\"run\":$run,\"label\":\"$label\",\"ms\":$(awk -v s="$secs" 'BEGIN{printf "%.0f", 1000*s}'),\"first_byte_ms\":$(awk -v s="$first" 'BEGIN{printf "%.0f", 1000*s}'),\"bytes\":$size,\"statements\":$statements,\"load_avg_1m\":$(cut -d' ' -f1 /proc/loadavg)}"
}

command -v unzip >/dev/null || { echo "unzip is required" >&2; exit 1; }
# Warm-up: JIT, pool, credential cache.
export_once 0 warm-up
for run in $(seq 1 "$RUNS"); do export_once "$run" quiet; sleep 1; done

# ---- 3. The same with ingest running into the same tenant.
cli demo statements --out "$work/bodies.jsonl" --people 300 --statements-per-person 100 --batch 100 >/dev/null
AUTH="$AUTH" BODIES="$work/bodies.jsonl" STMTS_PER_REQ=100 PHASE_LABEL=ingest XAPI_VERSION=1.0.3 \
    wrk -t"$THREADS" -c"$INGEST_CONNS" -d"$((RUNS * 20 + 30))s" --timeout 30s -s "$here/post.lua" "$endpoint/statements" >"$out/ingest.txt" 2>&1 &
wrk_pid=$!
sleep 5
s0=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $bench"); i0=$(date +%s.%N)
for run in $(seq 1 "$RUNS"); do export_once "$run" under-ingest; sleep 1; done
s1=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $bench"); i1=$(date +%s.%N)
kill "$wrk_pid" 2>/dev/null; wait "$wrk_pid" 2>/dev/null || true; wrk_pid=""
record "{\"label\":\"ingest\",\"stmts_per_s\":$(awk -v a="$s0" -v b="$s1" -v s="$i0" -v e="$i1" 'BEGIN{printf "%.0f", (b-a)/(e-s)}')}"

# ---- 4. The CLI.
c0=$(date +%s.%N)
(cd "$lrs_dir" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$pg_conn" \
    /usr/bin/time -v -o "$out/cli.time" dotnet "$lrs_dll" people export --tenant bench --person "$person" --out "$work/cli.zip") | tee "$out/cli.txt"
c1=$(date +%s.%N)
record "{\"label\":\"cli\",\"ms\":$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.0f", 1000*(b-a)}'),\"peak_rss_mib\":$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$out/cli.time")}"
hwm=$(awk '/VmHWM/ {print $2}' /proc/"$lrs_pid"/status)
record "{\"label\":\"lrs-peak-rss\",\"vmhwm_mib\":$((hwm / 1024))}"

echo
node - "$results" <<'EOF' | tee "$out/summary.txt"
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const of = (label) => rows.filter((r) => r.label === label);
const load = of('load')[0];
console.log(`store: ${load.statements_all.toLocaleString('en-US')} statements (${load.statements_tenant.toLocaleString('en-US')} in the tenant), ${load.database_mib} MiB; seeded in ${load.seed_s} s`);
console.log('| export of one person | runs | statements in it | ZIP KiB | first byte ms (median) | total ms (median) | total ms per run |');
console.log('|---|---|---|---|---|---|---|');
for (const p of ['quiet', 'under-ingest']) {
  const r = of(p);
  console.log(`| ${p} | ${r.length} | ${r[0].statements} | ${Math.round(r[0].bytes / 1024)} | ${median(r.map((x) => x.first_byte_ms))} | ${median(r.map((x) => x.ms))} | ${r.map((x) => x.ms).join(', ')} |`);
}
console.log(`ingest during the second phase: ${of('ingest')[0].stmts_per_s} statements/s`);
const cli = of('cli')[0];
console.log(`CLI people export: ${cli.ms} ms wall (process start included), peak RSS ${cli.peak_rss_mib} MiB; LRS peak RSS ${of('lrs-peak-rss')[0].vmhwm_mib} MiB`);
const worst = Math.max(median(of('quiet').map((x) => x.ms)), median(of('under-ingest').map((x) => x.ms)));
console.log(`${worst < 5000 ? 'met   ' : 'MISSED'}  export < 5 s: ${worst} ms`);
EOF
echo "results: $out"
