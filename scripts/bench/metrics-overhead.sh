#!/usr/bin/env bash
# What metrics cost the hot path: single-statement POSTs (16 connections, the path with the most requests per
# statement) against the same LRS with Lrs:Metrics:Enabled true and false, in interleaved pairs (the order alternates
# from pair to pair) so that the machine's drift falls on both sides. With metrics on, /metrics is scraped every 5 s
# during the load, as a Prometheus server would (every 15 s is the common default).
#
#   scripts/bench/metrics-overhead.sh [sqlite|postgres] [PAIRS] [SECONDS]
#
# Each side of a pair: a fresh LRS process on the same store, 5 s of warm-up load (with one scrape when metrics are on,
# so that neither side pays for compiling code in the measured part), then SECONDS of measured load:
# statements/s (2xx only) and the LRS's CPU per statement. Prints every pair and the medians; JSON lines in
# scripts/bench/results/metrics-overhead-DATE/.
set -euo pipefail
store=${1:-postgres}
case "$store" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite|postgres] [PAIRS] [SECONDS]" >&2; exit 2 ;; esac
pairs=${2:-4}
secs=${3:-15}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/lrs-metrics.XXXXXX)
out="$here/results/metrics-overhead-$store-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
# shellcheck source=lib.sh
source "$here/lib.sh"
scraper=""
cleanup() {
    local rc=$?
    [[ -n "$scraper" ]] && kill "$scraper" 2>/dev/null
    bench_cleanup
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools
build_lrs
node "$here/gen-statements.js" --out "$work/data" --single 20000 --batches 10 >/dev/null
case "$store" in
    postgres) start_pg; provider=Postgres connection="$pg_conn" ;;
    sqlite) provider=Sqlite connection="Data Source=$work/lrs.db" ;;
esac
echo "machine: $(nproc) cores, load avg at start: $(cut -d' ' -f1-3 /proc/loadavg); store=$store pairs=$pairs seconds=$secs" | tee "$out/machine.txt"
export XAPI_VERSION=1.0.3

# side PAIR ENABLED: one measured side of a pair.
side() {
    local pair=$1 enabled=$2 l0 l1 t0 t1 line auth
    export Lrs__Metrics__Enabled=$enabled
    start_lrs "$provider" "$connection" "$out/lrs-$pair-$enabled.log"
    auth="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"
    AUTH="$auth" BODIES="$work/data/single.jsonl" STMTS_PER_REQ=1 PHASE_LABEL=warmup \
        wrk -t2 -c16 -d5s --timeout 30s -s "$here/post.lua" "$endpoint/statements" >/dev/null 2>&1
    [[ "$enabled" == true ]] && curl -s -o /dev/null "${endpoint%/xapi}/metrics"
    if [[ "$enabled" == true ]]; then
        (while :; do curl -s -o /dev/null "${endpoint%/xapi}/metrics"; sleep 5; done) &
        scraper=$!
    fi
    l0=$(cpu_seconds "$lrs_pid"); t0=$(date +%s.%N)
    AUTH="$auth" BODIES="$work/data/single.jsonl" STMTS_PER_REQ=1 PHASE_LABEL="metrics-$enabled" \
        wrk -t2 -c16 -d"${secs}s" --timeout 30s --latency -s "$here/post.lua" "$endpoint/statements" >"$out/$pair-$enabled.txt" 2>&1
    t1=$(date +%s.%N); l1=$(cpu_seconds "$lrs_pid")
    if [[ -n "$scraper" ]]; then kill "$scraper" 2>/dev/null; wait "$scraper" 2>/dev/null || true; scraper=""; fi
    line=$(grep '^{"label"' "$out/$pair-$enabled.txt" | tail -n 1)
    node -e 'const [j,l0,l1,t0,t1,pair,enabled,store]=process.argv.slice(1);const r=JSON.parse(j);
      console.log(JSON.stringify({store,pair:+pair,metrics:enabled==="true",stmts_per_s:r.stmts_per_s_ok,non_2xx:r.non_2xx,p50_ms:r.lat_ms.p50,p99_ms:r.lat_ms.p99,
        lrs_cores:+((l1-l0)/(t1-t0)).toFixed(2),lrs_cpu_us_per_stmt:Math.round(1e6*(l1-l0)/r.requests)}))' \
        "$line" "$l0" "$l1" "$t0" "$t1" "$pair" "$enabled" "$store" | tee -a "$out/overhead.jsonl"
    stop_lrs
    sleep 2
}

for pair in $(seq 1 "$pairs"); do
    if ((pair % 2)); then side "$pair" true; side "$pair" false; else side "$pair" false; side "$pair" true; fi
done

node - "$out/overhead.jsonl" <<'JS' | tee "$out/summary.txt"
const rows = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`| pair (${rows[0].store}) | statements/s on | off | on ÷ off | CPU µs/statement on | off | on ÷ off |`);
console.log('|---|---|---|---|---|---|---|');
const rate = [], cpu = [];
for (const pair of [...new Set(rows.map(r => r.pair))]) {
  const on = rows.find(r => r.pair === pair && r.metrics), off = rows.find(r => r.pair === pair && !r.metrics);
  rate.push(on.stmts_per_s / off.stmts_per_s); cpu.push(on.lrs_cpu_us_per_stmt / off.lrs_cpu_us_per_stmt);
  console.log(`| ${pair} | ${on.stmts_per_s} | ${off.stmts_per_s} | ${(100 * rate.at(-1)).toFixed(1)} % | ${on.lrs_cpu_us_per_stmt} | ${off.lrs_cpu_us_per_stmt} | ${(100 * cpu.at(-1)).toFixed(1)} % |`);
}
console.log(`| median | ${median(rows.filter(r => r.metrics).map(r => r.stmts_per_s))} | ${median(rows.filter(r => !r.metrics).map(r => r.stmts_per_s))} | ${(100 * median(rate)).toFixed(1)} % | ${median(rows.filter(r => r.metrics).map(r => r.lrs_cpu_us_per_stmt))} | ${median(rows.filter(r => !r.metrics).map(r => r.lrs_cpu_us_per_stmt))} | ${(100 * median(cpu)).toFixed(1)} % |`);
if (rows.some(r => r.non_2xx)) console.log('warning: some requests were not 2xx');
JS
