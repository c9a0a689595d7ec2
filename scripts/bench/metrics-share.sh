#!/usr/bin/env bash
# What metrics cost, as a share of the LRS's own CPU: single-statement POSTs (16 connections, the path with the most
# requests, and so the most recordings, per statement) against one LRS with metrics on and /metrics scraped every 5 s,
# while perf samples the LRS process on-CPU. The samples whose own frame is metrics code (OpenTelemetry, the
# System.Diagnostics.Metrics instruments, ASP.NET Core's and Npgsql's recording methods) over all samples of the process.
#
#   scripts/bench/metrics-share.sh [sqlite|postgres] [SECONDS] [RUNS]
#
# A share of one process's own samples does not move with the load beside it, as throughput and CPU per request do on a
# shared machine (metrics-overhead.sh measures those, in pairs). Needs perf (linux-tools) and permission to sample the
# process. Prints each run and the median; the reports go to scripts/bench/results/metrics-share-DATE/.
set -euo pipefail
store=${1:-postgres}
case "$store" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite|postgres] [SECONDS] [RUNS]" >&2; exit 2 ;; esac
secs=${2:-20}
runs=${3:-3}
command -v perf >/dev/null || { echo "perf is needed (linux-tools)" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/lrs-metrics-share.XXXXXX)
out="$here/results/metrics-share-$store-$(date -u +%Y%m%dT%H%M%SZ)"
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
echo "machine: $(nproc) cores, load avg at start: $(cut -d' ' -f1-3 /proc/loadavg); store=$store seconds=$secs runs=$runs; commit $(git -C "$repo" rev-parse --short HEAD)" | tee "$out/machine.txt"
export XAPI_VERSION=1.0.3 Lrs__Metrics__Enabled=true
# perf names JIT-compiled methods from the runtime's perf map; without double-mapped code pages their addresses are stable,
# and without precompiled (ReadyToRun) framework code every managed method is in the map.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
metrics='\[OpenTelemetry|System\.Diagnostics\.Metrics|HostingMetrics|RoutingMetrics|KestrelMetrics|AuthenticationMetrics|AuthorizationMetrics|Npgsql\.MetricsReporter'

for run in $(seq 1 "$runs"); do
    start_lrs "$provider" "$connection" "$out/lrs-$run.log"
    auth="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"
    AUTH="$auth" BODIES="$work/data/single.jsonl" STMTS_PER_REQ=1 PHASE_LABEL=warmup \
        wrk -t2 -c16 -d5s --timeout 30s -s "$here/post.lua" "$endpoint/statements" >/dev/null 2>&1
    (while :; do curl -s -o /dev/null "${endpoint%/xapi}/metrics"; sleep 5; done) &
    scraper=$!
    AUTH="$auth" BODIES="$work/data/single.jsonl" STMTS_PER_REQ=1 PHASE_LABEL=measured \
        wrk -t2 -c16 -d"$((secs + 4))s" --timeout 30s -s "$here/post.lua" "$endpoint/statements" >"$out/wrk-$run.txt" 2>&1 &
    load=$!
    sleep 2
    perf record -q -F 999 -e cpu-clock -p "$lrs_pid" -o "$work/perf.data" -- sleep "$secs" >/dev/null 2>&1
    wait "$load"
    kill "$scraper" 2>/dev/null; wait "$scraper" 2>/dev/null || true; scraper=""
    perf report -i "$work/perf.data" --no-children --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' >"$out/report-$run.txt"
    stop_lrs
    awk -v run="$run" -v re="$metrics" '{p = $1 + 0; all += p; if ($0 ~ /\[k\]/) kernel += p; if ($0 ~ re) m += p}
        END {printf "{\"run\":%d,\"metrics_share_pct\":%.2f,\"metrics_share_of_user_pct\":%.2f,\"kernel_pct\":%.1f}\n", run, 100 * m / all, 100 * m / (all - kernel), 100 * kernel / all}' \
        "$out/report-$run.txt" | tee -a "$out/share.jsonl"
    sleep 2
done

node - "$out/share.jsonl" <<'JS' | tee "$out/summary.txt"
const rows = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`metrics code: median ${median(rows.map(r => r.metrics_share_pct)).toFixed(2)} % of the LRS's on-CPU samples ` +
  `(${median(rows.map(r => r.metrics_share_of_user_pct)).toFixed(2)} % of those outside the kernel), ${rows.length} runs`);
JS
