#!/usr/bin/env bash
# Where the time of a single-statement POST goes: the same wrk load (16 connections) against requests that stop
# at successive stages of the LRS, with the LRS's and PostgreSQL's CPU per request for each.
#
#   scripts/bench/breakdown.sh [sqlite|postgres] [SECONDS]
#
#   about        GET /xapi/about: Kestrel + routing + version-header middleware, no auth, no body
#   no-auth      POST a statement without credentials: 401 from the authentication handler
#   invalid      POST a statement without a verb with credentials: auth + JSON parse + validation, 400, no database
#   single       POST a valid statement: everything, one transaction per request
#   batch100     POST 100 valid statements per request (8 connections)
# Output: a table on stdout; JSON lines in scripts/bench/results/breakdown-DATE/.
set -euo pipefail
store=${1:-postgres}
case "$store" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite|postgres] [SECONDS]" >&2; exit 2 ;; esac
secs=${2:-10}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/lrs-breakdown.XXXXXX)
out="$here/results/breakdown-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
# shellcheck source=lib.sh
source "$here/lib.sh"
cleanup() { local rc=$?; bench_cleanup; rm -rf "$work"; exit "$rc"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools
build_lrs
node "$here/gen-statements.js" --out "$work/data" --single 20000 --batches 300 >/dev/null
node -e 'const fs=require("fs");const ls=fs.readFileSync(process.argv[1],"utf8").trim().split("\n");
  fs.writeFileSync(process.argv[2], ls.map(l=>{const s=JSON.parse(l);delete s.verb;return JSON.stringify(s)}).join("\n")+"\n")' \
    "$work/data/single.jsonl" "$work/data/invalid.jsonl"
case "$store" in
    postgres) start_pg; provider=Postgres connection="$pg_conn" ;;
    sqlite) provider=Sqlite connection="Data Source=$work/lrs.db" ;;
esac
start_lrs "$provider" "$connection" "$out/lrs.log"
auth="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"
export XAPI_VERSION=1.0.3
curl -sf -o /dev/null -H "Authorization: $auth" -H "X-Experience-API-Version: 1.0.3" -H 'Content-Type: application/json' \
    --data-binary "$(head -n 1 "$work/data/batch100.jsonl")" "$endpoint/statements"

phase() { # NAME CONNS SCRIPT URL BODIES PER AUTH
    local name=$1 conns=$2 script=$3 url=$4 bodies=$5 per=$6 a=$7 pg_pid l0 l1 p0=0 p1=0 t0 t1 line
    pg_pid=$(pg_postmaster_pid || true)
    l0=$(cpu_seconds "$lrs_pid"); [[ -n "$pg_pid" ]] && p0=$(cpu_seconds "$pg_pid"); t0=$(date +%s.%N)
    AUTH="$a" BODIES="$bodies" STMTS_PER_REQ="$per" PHASE_LABEL="$name" \
        wrk -t2 -c"$conns" -d"${secs}s" --timeout 30s --latency -s "$here/$script" "$url" >"$out/$name.txt" 2>&1
    t1=$(date +%s.%N); l1=$(cpu_seconds "$lrs_pid"); [[ -n "$pg_pid" ]] && p1=$(cpu_seconds "$pg_pid")
    line=$(grep '^{"label"' "$out/$name.txt" | tail -n 1)
    node -e 'const [j,l0,l1,p0,p1,t0,t1]=process.argv.slice(1);const r=JSON.parse(j);const w=t1-t0;const n=r.requests;
      Object.assign(r,{store:process.argv[8],lrs_cores:+((l1-l0)/w).toFixed(2),pg_cores:+((p1-p0)/w).toFixed(2),
        lrs_cpu_us_per_req:Math.round(1e6*(l1-l0)/n),pg_cpu_us_per_req:Math.round(1e6*(p1-p0)/n)});console.log(JSON.stringify(r))' \
        "$line" "$l0" "$l1" "$p0" "$p1" "$t0" "$t1" "$store" | tee -a "$out/breakdown.jsonl"
    sleep 2
}
phase about 16 get.lua "$endpoint/about" "" 1 "$auth"
phase no-auth 16 post.lua "$endpoint/statements" "$work/data/single.jsonl" 1 ""
phase invalid 16 post.lua "$endpoint/statements" "$work/data/invalid.jsonl" 1 "$auth"
phase single 16 post.lua "$endpoint/statements" "$work/data/single.jsonl" 1 "$auth"
phase batch100 8 post.lua "$endpoint/statements" "$work/data/batch100.jsonl" 100 "$auth"

node - "$out/breakdown.jsonl" <<'EOF' | tee "$out/summary.txt"
const rows = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
console.log(`| stage (${rows[0].store}) | req/s | p50 ms | p99 ms | status | LRS cores | PG cores | LRS CPU µs/req | PG CPU µs/req |`);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.req_per_s} | ${r.lat_ms.p50} | ${r.lat_ms.p99} | ${r.non_2xx ? r.non_2xx + ' non-2xx (' + r.first_non_2xx.slice(0, 3) + ')' : 'all 2xx'} | ${r.lrs_cores} | ${r.pg_cores} | ${r.lrs_cpu_us_per_req} | ${r.pg_cpu_us_per_req} |`);
EOF
