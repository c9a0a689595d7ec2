#!/usr/bin/env bash
# Erasure of one person in a large PostgreSQL store while statements keep arriving.
#   1. demo seed: PEOPLE people × PER_PERSON statements through the LRS's own statement store, then VACUUM ANALYZE;
#   2. RUNS people of the demo each get EXTRA (2,000) more statements of their own over HTTP (batches of 100);
#   3. for each of them: wrk POSTs batches of 100 demo statements into the same tenant (INGEST_CONNS connections) for
#      INGEST_SECONDS; LEAD seconds in, POST /api/people/{id}/erasure {"mode":"erase"} is timed with curl.
# Output: a line per erasure (seconds, statements removed, ingest rate meanwhile) and the median; JSON lines in
# scripts/bench/results/erasure-DATE/results.jsonl.
#
#   scripts/bench/erasure.sh [--quick]
#
# --quick: 1,000 people × 100 statements (about 100,000), RUNS=1.
# env: PEOPLE (10000), PER_PERSON (100), EXTRA (2000), RUNS (3), INGEST_SECONDS (20), LEAD (5), INGEST_CONNS (4), THREADS (2)
set -euo pipefail

quick=""
[[ "${1:-}" == "--quick" ]] && quick=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
q() { [[ -n "$quick" ]] && echo "$1" || echo "$2"; }
PEOPLE=${PEOPLE:-$(q 1000 10000)}
PER_PERSON=${PER_PERSON:-100}
EXTRA=${EXTRA:-2000}
RUNS=${RUNS:-$(q 1 3)}
INGEST_SECONDS=${INGEST_SECONDS:-20}
LEAD=${LEAD:-5}
INGEST_CONNS=${INGEST_CONNS:-4}
THREADS=${THREADS:-2}
out="$here/results/erasure-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
results="$out/results.jsonl"
work=$(mktemp -d /tmp/lrs-erasure.XXXXXX)

# shellcheck source=lib.sh
source "$here/lib.sh"
cleanup() {
    local rc=$?
    [[ -n "${wrk_pid:-}" ]] && kill "$wrk_pid" 2>/dev/null || true
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

echo "seeding $PEOPLE people × $PER_PERSON statements"
t0=$(date +%s.%N)
cli demo seed --tenant bench --people "$PEOPLE" --statements-per-person "$PER_PERSON" >"$out/seed.log" 2>&1 \
    || { tail -n 40 "$out/seed.log" >&2; echo "demo seed failed" >&2; exit 1; }
t1=$(date +%s.%N)
key=$(sed -n 's/^ *key: *//p' "$out/seed.log" | head -n 1)
bench_secret=$(sed -n 's/^ *secret: *//p' "$out/seed.log" | head -n 1)
[[ -n "$key" && -n "$bench_secret" ]] || { echo "no credential in the seed output" >&2; exit 1; }
sql "VACUUM ANALYZE"
bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")

start_lrs Postgres "$pg_conn" "$out/lrs.log"
base=${endpoint%/xapi}
export AUTH="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
cli demo statements --out "$work/bodies.jsonl" --people 300 --statements-per-person "$PER_PERSON" --batch 100 >/dev/null
export BODIES="$work/bodies.jsonl" STMTS_PER_REQ=100 XAPI_VERSION=1.0.3

# The people to erase, and 2,000 more statements of each (their HR account as actor).
mapfile -t people < <(sql "SELECT id FROM people WHERE tenant_id = $bench ORDER BY id LIMIT $RUNS")
for person in "${people[@]}"; do
    agent=$(sql "SELECT agent FROM person_agents WHERE tenant_id = $bench AND person_id = '$person' AND agent LIKE '%account%' LIMIT 1")
    for batch in $(seq 0 $((EXTRA / 100 - 1))); do
        node -e 'const [agent, person, batch] = process.argv.slice(1); const a = JSON.parse(agent);
            console.log(JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ actor: a, verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
              object: { id: `https://bench.lrsapi.se/activities/erasure/${person}/${batch}/${i}` }, result: { completion: true } }))));' \
            "$agent" "$person" "$batch" >"$work/extra.json"
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $AUTH" -H 'X-Experience-API-Version: 1.0.3' \
            -H 'Content-Type: application/json' --data-binary @"$work/extra.json" "$endpoint/statements")
        [[ "$code" == 200 ]] || { echo "extra statements: HTTP $code" >&2; exit 1; }
    done
done
n_statements=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $bench")
db_mib=$(sql "SELECT pg_database_size('lrs') / 1048576")
echo "store: $n_statements statements in tenant bench, database $db_mib MiB; seed took $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s"

times=()
for person in "${people[@]}"; do
    own=$(sql "SELECT count(DISTINCT i.seq) FROM statement_index i JOIN person_agents pa ON pa.tenant_id = i.tenant_id AND i.key = 'a|' || pa.agent_key
        WHERE i.tenant_id = $bench AND pa.person_id = '$person'")
    before=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $bench")
    wrk -t"$THREADS" -c"$INGEST_CONNS" -d"${INGEST_SECONDS}s" --timeout 30s -s "$here/post.lua" "$endpoint/statements" >"$work/wrk.txt" 2>&1 &
    wrk_pid=$!
    sleep "$LEAD"
    answer=$(curl -s -w '\n%{http_code} %{time_total}' -X POST -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
        -d '{"mode":"erase"}' "$base/api/people/$person/erasure")
    wait "$wrk_pid"
    wrk_pid=""
    read -r code seconds <<<"$(tail -n 1 <<<"$answer")"
    body=$(head -n 1 <<<"$answer")
    [[ "$code" == 200 ]] || { echo "erasure of $person: HTTP $code $body" >&2; exit 1; }
    removed=$(node -e 'console.log(JSON.parse(process.argv[1]).counts.statementsRemoved)' "$body")
    ingest=$(grep '^{"label"' "$work/wrk.txt" | tail -n 1)
    rate=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(Math.round(r.stmts_per_s_ok) + " (" + r.non_2xx + " non-2xx, p99 " + r.lat_ms.p99 + " ms)")' "$ingest" 2>/dev/null || echo "?")
    left=$(sql "SELECT count(*) FROM person_agents WHERE tenant_id = $bench AND person_id = '$person'")
    echo "erased $person: ${seconds}s, $removed statements removed ($own own before), ingest meanwhile $rate statements/s, person rows left: $left"
    echo "{\"label\":\"erase\",\"person\":\"$person\",\"seconds\":$seconds,\"removed\":$removed,\"own_before\":$own,\"statements_before\":$before,\"ingest\":\"$rate\",\"store_statements\":$n_statements}" >>"$results"
    times+=("$seconds")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "median erasure: ${median}s over ${#times[@]} people; store $n_statements statements"
