#!/usr/bin/env bash
# LrsApi's own ingest benchmark: HTTP ingest set beside raw inserts of the same rows into the same schema,
# measured in the same run on the same (shared, 2-core) machine.
#
#   scripts/bench/run.sh [sqlite|postgres|all] [--quick] [--runs N]
#
# For each run and store: a fresh store and a fresh LRS (Release build), then
#   raw-batch100        RawInsert: multi-row INSERTs, 100 statements + their statement_index rows per transaction
#   raw-single          RawInsert: one statement (+ index rows) per transaction
#   lrs-store-batch100  RawInsert: the LRS's own store code (StoreAsync), batches of 100, no HTTP, no validation
#   pipeline-cpu        RawInsert: µs per statement to parse + validate + prepare, one thread, no database
#   http-single         wrk: one statement per POST, 16 connections
#   http-batch100       wrk: 100 statements per POST, 8 connections
#   http-get            wrk: GET /xapi/statements?limit=100, 16 connections (after the loads above)
#   and the LRS's peak RSS (VmHWM). Each HTTP phase also records the CPU the LRS and PostgreSQL used.
# Output: a table on stdout (medians over the runs), raw JSON lines in scripts/bench/results/DATE/results.jsonl.
# env: DURATION (HTTP phase seconds; 20, --quick 5), RAW_SECONDS (15, --quick 4), PAUSE (between phases; 5, --quick 2),
#      XAPI_VERSION (1.0.3), THREADS (wrk threads, 2)
set -euo pipefail

usage() { echo "usage: $0 [sqlite|postgres|all] [--quick] [--runs N]" >&2; exit 2; }
which_store=all quick="" runs=1
while (($#)); do
    case "$1" in
        sqlite | postgres | all) which_store=$1 ;;
        --quick) quick=1 ;;
        --runs) shift; [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] || usage; runs=$1 ;;
        *) usage ;;
    esac
    shift
done
case "$which_store" in all) stores=(postgres sqlite) ;; *) stores=("$which_store") ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
DURATION=${DURATION:-$([[ -n "$quick" ]] && echo 5 || echo 20)}
RAW_SECONDS=${RAW_SECONDS:-$([[ -n "$quick" ]] && echo 4 || echo 15)}
PAUSE=${PAUSE:-$([[ -n "$quick" ]] && echo 2 || echo 5)}
XAPI_VERSION=${XAPI_VERSION:-1.0.3}
THREADS=${THREADS:-2}
out="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
results="$out/results.jsonl"
work=$(mktemp -d /tmp/lrs-bench.XXXXXX)

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
echo "building scripts/bench/RawInsert (Release)"
(cd "$here/RawInsert" && dotnet build -c Release -nologo) >"$work/build-raw.log" 2>&1 \
    || { tail -n 40 "$work/build-raw.log" >&2; echo "RawInsert build failed" >&2; exit 1; }
raw_dll="$here/RawInsert/bin/Release/net10.0/RawInsert.dll"

data="$work/data"
node "$here/gen-statements.js" --out "$data" --single 20000 --batches 300 --batch-size 100

{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
    echo "dotnet: $(dotnet --version)"
    echo "postgresql: $(/usr/lib/postgresql/15/bin/postgres --version 2>/dev/null || echo none)"
    echo "sqlite (Microsoft.Data.Sqlite 10.0.14)"
    echo "wrk: $(wrk -v 2>&1 | head -n 1)"
    echo "date: $(date -u +%FT%TZ)  load avg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "settings: runs=$runs duration=${DURATION}s raw=${RAW_SECONDS}s pause=${PAUSE}s xapi=$XAPI_VERSION"
} | tee "$out/machine.txt"

# record RUN STORE JSON [EXTRA_JSON_MEMBERS]: one line of results.jsonl
record() {
    node -e 'const [run, store, json, extra] = process.argv.slice(1);
             const o = Object.assign({ run: +run, store }, JSON.parse(json), extra ? JSON.parse("{" + extra + "}") : {});
             console.log(JSON.stringify(o));' "$1" "$2" "$3" "${4:-}" | tee -a "$results"
}

# http_phase RUN STORE PHASE CONNS BODIES PER_REQ
http_phase() {
    local run=$1 store=$2 phase=$3 conns=$4 bodies=$5 per=$6 script=post.lua url="$endpoint/statements"
    [[ "$phase" == http-get ]] && script=get.lua && url="$endpoint/statements?limit=100"
    local pg_pid lrs0 lrs1 pg0=0 pg1=0 t0 t1 line
    pg_pid=$(pg_postmaster_pid || true)
    lrs0=$(cpu_seconds "$lrs_pid"); [[ -n "$pg_pid" ]] && pg0=$(cpu_seconds "$pg_pid")
    t0=$(date +%s.%N)
    BODIES="$bodies" STMTS_PER_REQ="$per" PHASE_LABEL="$phase" \
        wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 30s --latency -s "$here/$script" "$url" \
        >"$out/run$run-$store-$phase.txt" 2>&1
    t1=$(date +%s.%N)
    lrs1=$(cpu_seconds "$lrs_pid"); [[ -n "$pg_pid" ]] && pg1=$(cpu_seconds "$pg_pid")
    line=$(grep '^{"label"' "$out/run$run-$store-$phase.txt" | tail -n 1) \
        || { cat "$out/run$run-$store-$phase.txt" >&2; echo "wrk produced no summary" >&2; exit 1; }
    record "$run" "$store" "$line" "$(awk -v a="$lrs0" -v b="$lrs1" -v c="$pg0" -v d="$pg1" -v s="$t0" -v e="$t1" -v c16="$conns" \
        'BEGIN{w=e-s; printf "\"conns\":%d,\"lrs_cores\":%.2f,\"pg_cores\":%.2f,\"wall_s\":%.2f", c16, (b-a)/w, (d-c)/w, w}')"
}

for run in $(seq 1 "$runs"); do
    for store in "${stores[@]}"; do
        echo "== run $run/$runs: $store ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
        case "$store" in
            postgres)
                start_pg
                raw_conn="$pg_admin_conn" provider=Postgres connection="$pg_conn"
                ;;
            sqlite)
                mkdir -p "$work/sqlite-$run" "$work/raw-$run"
                raw_conn="Data Source=$work/raw-$run/raw.db" provider=Sqlite connection="Data Source=$work/sqlite-$run/lrs.db"
                ;;
        esac

        # Raw inserts first, with the LRS not yet running (same cluster / same disk).
        dotnet "$raw_dll" --store "$store" --conn "$raw_conn" --data "$data/single.jsonl" \
            --seconds "$RAW_SECONDS" --single-seconds "$(( RAW_SECONDS > 10 ? 8 : RAW_SECONDS ))" \
            --modes batch,single,store,pipeline 2>"$out/run$run-$store-raw.err" >"$work/raw.jsonl" \
            || { cat "$out/run$run-$store-raw.err" >&2; echo "RawInsert failed" >&2; exit 1; }
        while read -r line; do record "$run" "$store" "$line"; done <"$work/raw.jsonl"
        rm -rf "$work/raw-$run"

        start_lrs "$provider" "$connection" "$out/run$run-$store-lrs.log"
        export AUTH="Basic $(printf 'bench:%s' "$secret" | base64 -w0)" XAPI_VERSION
        # Warm-up: JIT, connection pool, credential cache.
        for _ in 1 2 3; do
            curl -sf -o /dev/null -H "Authorization: $AUTH" -H "X-Experience-API-Version: $XAPI_VERSION" -H 'Content-Type: application/json' \
                --data-binary "$(head -n 1 "$data/batch100.jsonl")" "$endpoint/statements" || { echo "warm-up POST failed" >&2; exit 1; }
        done
        http_phase "$run" "$store" http-single 16 "$data/single.jsonl" 1
        sleep "$PAUSE"
        http_phase "$run" "$store" http-batch100 8 "$data/batch100.jsonl" 100
        sleep "$PAUSE"
        http_phase "$run" "$store" http-get 16 "" 100
        hwm=$(awk '/VmHWM/ {print $2}' /proc/"$lrs_pid"/status)
        record "$run" "$store" "{\"label\":\"lrs-peak-rss\",\"vmhwm_mib\":$((hwm / 1024))}"
        stop_lrs
        stop_pg
        rm -rf "$work/sqlite-$run"
    done
done

echo
node - "$results" <<'EOF' | tee "$out/summary.txt"
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = (xs) => { const s = xs.filter((x) => x != null && !isNaN(x)).sort((a, b) => a - b); if (!s.length) return NaN;
  const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const runs = Math.max(...rows.map((r) => r.run));
const stores = [...new Set(rows.map((r) => r.store))];
const get = (store, label, f) => median(rows.filter((r) => r.store === store && r.label === label).map(f));
const perRun = (store, run, label, f) => { const r = rows.find((x) => x.store === store && x.run === run && x.label === label); return r ? f(r) : NaN; };
const fmt = (x, d = 0) => (isNaN(x) ? '-' : x.toFixed(d));
console.log(`medians over ${runs} run(s); statements/s that got 2xx (HTTP) or committed (raw)`);
console.log('| store | raw batch-100 | raw single | LRS store code batch-100 | HTTP single c=16 (p50/p99 ms) | HTTP batch-100 c=8 (p50/p99 ms) | HTTP batch / raw batch | HTTP single / raw single | GET limit=100 req/s (p99 ms) | peak RSS MiB |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const s of stores) {
  const rb = get(s, 'raw-batch100', (r) => r.stmts_per_s), rs = get(s, 'raw-single', (r) => r.stmts_per_s);
  const st = get(s, 'lrs-store-batch100', (r) => r.stmts_per_s);
  const hs = get(s, 'http-single', (r) => r.stmts_per_s_ok), hb = get(s, 'http-batch100', (r) => r.stmts_per_s_ok);
  // the ratio is taken within each run, then the median of the ratios
  const ratio = median([...Array(runs).keys()].map((i) => perRun(s, i + 1, 'http-batch100', (r) => r.stmts_per_s_ok) / perRun(s, i + 1, 'raw-batch100', (r) => r.stmts_per_s)));
  const ratioS = median([...Array(runs).keys()].map((i) => perRun(s, i + 1, 'http-single', (r) => r.stmts_per_s_ok) / perRun(s, i + 1, 'raw-single', (r) => r.stmts_per_s)));
  console.log(`| ${s} | ${fmt(rb)} | ${fmt(rs)} | ${fmt(st)} | ${fmt(hs)} (${fmt(get(s, 'http-single', (r) => r.lat_ms.p50), 1)}/${fmt(get(s, 'http-single', (r) => r.lat_ms.p99), 1)}) | ` +
    `${fmt(hb)} (${fmt(get(s, 'http-batch100', (r) => r.lat_ms.p50), 0)}/${fmt(get(s, 'http-batch100', (r) => r.lat_ms.p99), 0)}) | ${fmt(100 * ratio, 0)}% | ${fmt(100 * ratioS, 0)}% | ` +
    `${fmt(get(s, 'http-get', (r) => r.req_per_s), 1)} (${fmt(get(s, 'http-get', (r) => r.lat_ms.p99), 0)}) | ${fmt(get(s, 'lrs-peak-rss', (r) => r.vmhwm_mib))} |`);
}
console.log('\nCPU during the HTTP phases (cores busy, median; 2 cores in all) and in-process cost per statement:');
console.log('| store | phase | LRS cores | PostgreSQL cores | LRS CPU ms / 1000 stmts | non-2xx |');
console.log('|---|---|---|---|---|---|');
for (const s of stores) for (const p of ['http-single', 'http-batch100', 'http-get']) {
  const per = p === 'http-get' ? (r) => r.ok_2xx * 100 : (r) => r.ok_2xx * r.stmts_per_req;
  console.log(`| ${s} | ${p} | ${fmt(get(s, p, (r) => r.lrs_cores), 2)} | ${s === 'postgres' ? fmt(get(s, p, (r) => r.pg_cores), 2) : '-'} | ` +
    `${fmt(get(s, p, (r) => 1e6 * r.lrs_cores * r.wall_s / per(r)), 0)} | ${fmt(get(s, p, (r) => r.non_2xx))} |`);
}
for (const s of stores) {
  const pc = rows.filter((r) => r.store === s && r.label === 'pipeline-cpu');
  if (pc.length) console.log(`${s}: parse ${fmt(median(pc.map((r) => r.us_parse)), 1)} µs + validate ${fmt(median(pc.map((r) => r.us_validate)), 1)} µs + prepare ${fmt(median(pc.map((r) => r.us_prepare)), 1)} µs per statement (one thread, no I/O)`);
}
EOF
echo "results: $out"
