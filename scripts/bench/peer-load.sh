#!/usr/bin/env bash
# Runs the common peer load (the load that measured Learning Locker and the ADL LRS on this machine kind) unchanged
# against a freshly built LrsApi on a fresh store, so that our numbers can be set beside the peers'.
#
#   scripts/bench/peer-load.sh [sqlite|postgres] [LOAD_DIR]
#
# LOAD_DIR holds the peers' bench.sh, post.lua, get.lua, gen-statements.js (default: ../shared/load relative to the
# repository root; it is not part of this repository). Results: scripts/bench/results/peer-DATE/lrsapi-STORE.jsonl
# (one JSON line per phase: single POSTs c=16, batches of 100 c=8, GET ?limit=100 c=16, 20 s each), the raw wrk
# output beside it, and the LRS's CPU per phase (bench.sh's SERVER_PIDS; PostgreSQL's CPU is added for postgres).
# env: passed through to bench.sh (DURATION, PAUSE, PHASES, ...); XAPI_VERSION (default 1.0.3)
set -euo pipefail

usage() { echo "usage: $0 [sqlite|postgres] [LOAD_DIR]" >&2; exit 2; }
store=${1:-postgres}
case "$store" in sqlite | postgres) ;; *) usage ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
load_dir=${2:-$repo/../shared/load}
if [[ ! -f "$load_dir/bench.sh" || ! -f "$load_dir/post.lua" || ! -f "$load_dir/gen-statements.js" ]]; then
    echo "peer load not found in '$load_dir' (need bench.sh, post.lua, get.lua, gen-statements.js)." >&2
    echo "Pass its directory as the second argument: $0 $store /path/to/shared/load" >&2
    exit 1
fi
load_dir=$(cd "$load_dir" && pwd)
XAPI_VERSION=${XAPI_VERSION:-1.0.3}

work=$(mktemp -d /tmp/lrs-peer-load.XXXXXX)
out="$here/results/peer-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
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
case "$store" in
    postgres) start_pg; provider=Postgres connection="$pg_conn" ;;
    sqlite) provider=Sqlite connection="Data Source=$work/lrs.db" ;;
esac
start_lrs "$provider" "$connection" "$out/lrsapi-$store-lrs.log"
echo "LRS ($provider) on $endpoint, pid $lrs_pid; load from $load_dir; results in $out"

# bench.sh writes to $OUT and generates its bodies into $DATA (both outside the repository's tracked files).
server_pids="$lrs_pid"
[[ "$store" == postgres ]] && server_pids="$lrs_pid $(pg_postmaster_pid)"
OUT="$out" DATA="${DATA:-$work/data}" SERVER_PIDS="$server_pids" \
    "$load_dir/bench.sh" "$endpoint" bench "$secret" "$XAPI_VERSION" "lrsapi-$store"
echo "LRS peak RSS (VmHWM): $(awk '/VmHWM/ {print $2, $3}' /proc/"$lrs_pid"/status)" | tee -a "$out/lrsapi-$store-rss.txt"
echo "results: $out"
