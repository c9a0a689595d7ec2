#!/usr/bin/env bash
# Peak memory of the LRS for the largest request it accepts, alone and three at once.
#
#   scripts/bench/memory.sh [sqlite|postgres|all]
#
# For each store and body: a fresh store and a fresh LRS (Release build), one small POST to warm it up, then
#   one     the body POSTed once; the LRS's VmHWM (peak RSS since start) before and after, and VmRSS 10 s later
#   three   a fresh LRS again, the body POSTed by three clients at once; the same figures
# Bodies (JSON arrays of statements without id, so they can be sent any number of times):
#   max-count  short statements (actor account, verb, activity; ~330 bytes): as many as one request may carry
#   max-bytes  realistic statements from gen-statements.js (~1.25 KB): as many as fit in the body limit
#   max-bytes-long  as many statements as the count limit allows, each padded with a long result.response to its
#              share of the body limit (the most bytes of statement text one request can bring)
# Each is cut to both limits: MAX_STATEMENTS statements and MAX_BYTES bytes.
# Output: a table on stdout, raw JSON lines in scripts/bench/results/DATE/memory.jsonl.
# env: MAX_STATEMENTS (the LRS's default, Lrs:Limits:MaxStatementsPerRequest), MAX_BYTES (the LRS's default, Lrs:Limits:MaxRequestBytes),
#      LRS_ENV (extra NAME=VALUE settings for the LRS, space-separated, e.g. "Lrs__Limits__MaxStatementsPerRequest=64000"),
#      BODIES ("max-count max-bytes max-bytes-long"), CLIENTS ("1 3")
set -euo pipefail

which_store=${1:-all}
case "$which_store" in all) stores=(postgres sqlite) ;; sqlite | postgres) stores=("$which_store") ;; *) echo "usage: $0 [sqlite|postgres|all]" >&2; exit 2 ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
MAX_STATEMENTS=${MAX_STATEMENTS:-$(grep -oP 'MaxStatementsPerRequest \{ get; set; \} = \K[0-9_]+' "$repo/src/Lrs.Api/LrsOptions.cs" | tr -d _)}
MAX_BYTES=${MAX_BYTES:-$(grep -oP 'MaxRequestBytes \{ get; set; \} = \K[0-9_]+' "$repo/src/Lrs.Api/LrsOptions.cs" | tr -d _)}
# shellcheck source=lib.sh
source "$here/lib.sh"
bench_start memory

ensure_tools
build_lrs
for setting in ${LRS_ENV:-}; do export "${setting?}"; done

node "$here/gen-statements.js" --out "$work/data" --single 30000 --batches 1 --batch-size 1 >/dev/null
node - "$work" "$MAX_STATEMENTS" "$MAX_BYTES" <<'EOF'
// Writes max-count.json and max-bytes.json: JSON arrays within both limits.
const fs = require('fs');
const [work, maxStatements, maxBytes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
function write(name, next) {
  const parts = [];
  let bytes = 2;
  for (let i = 0; i < maxStatements; i++) {
    const s = next(i);
    const n = Buffer.byteLength(s);
    if (bytes + n + 1 > maxBytes) break;
    parts.push(s);
    bytes += n + 1;
  }
  fs.writeFileSync(`${work}/${name}.json`, '[' + parts.join(',') + ']');
  console.log(`${name}: ${parts.length} statements, ${bytes} bytes`);
}
write('max-count', (i) => JSON.stringify({
  actor: { objectType: 'Agent', account: { homePage: 'https://hr.solna.se', name: 'E' + String(10000 + (i % 5000)) } },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
  object: { objectType: 'Activity', id: 'https://lrs.example.se/xapi/activities/course/basal-hygien-' + (i % 50) },
  result: { completion: true, success: true },
}));
const realistic = fs.readFileSync(`${work}/data/single.jsonl`, 'utf8').split('\n').filter(Boolean);
write('max-bytes', (i) => realistic[i % realistic.length]);
// As many statements as the count limit allows, each padded (result.response) to its share of the body limit.
const share = Math.floor(maxBytes / maxStatements) - 2;
write('max-bytes-long', (i) => {
  const s = JSON.parse(realistic[i % realistic.length]);
  s.result = Object.assign(s.result || {}, { response: '' });
  const pad = Math.max(0, share - Buffer.byteLength(JSON.stringify(s)));
  s.result.response = 'x'.repeat(pad);
  return JSON.stringify(s);
});
EOF

record() { echo "$1" >>"$results"; }
kib() { awk -v k="$2" '$1 == k":" {print $2}' /proc/"$1"/status; }
post() { curl -s -o "$work/response.$2" -w '%{http_code}' -u "bench:$secret" -H 'X-Experience-API-Version: 1.0.3' \
    -H 'Content-Type: application/json' --data-binary "@$work/$1.json" "$endpoint/statements"; }

measure() { # STORE BODY CLIENTS
    local store=$1 body=$2 clients=$3 connection log before after settled statuses="" i
    if [[ "$store" == postgres ]]; then
        start_pg
        connection=$pg_conn
    else
        rm -f "$work"/lrs.db*
        connection="Data Source=$work/lrs.db"
    fi
    log="$out/lrs-$store-$body-$clients.log"
    start_lrs "$([[ "$store" == postgres ]] && echo Postgres || echo Sqlite)" "$connection" "$log"
    head -n 1 "$work/data/single.jsonl" >"$work/warm.json"
    post warm 0 >/dev/null
    before=$(kib "$lrs_pid" VmHWM)
    local start=$SECONDS
    local -a pids=()
    for ((i = 1; i <= clients; i++)); do post "$body" "$i" >"$work/status.$i" & pids+=($!); done
    wait "${pids[@]}"
    for ((i = 1; i <= clients; i++)); do statuses+="$(cat "$work/status.$i") "; done
    after=$(kib "$lrs_pid" VmHWM)
    [[ "$statuses" == *200* ]] || echo "not stored: $(head -c 300 "$work/response.1")" >&2
    sleep 10
    settled=$(kib "$lrs_pid" VmRSS)
    record "{\"store\":\"$store\",\"body\":\"$body\",\"clients\":$clients,\"statuses\":\"${statuses% }\",\"seconds\":$((SECONDS - start)),\"hwm_before_mib\":$((before / 1024)),\"hwm_after_mib\":$((after / 1024)),\"rss_10s_later_mib\":$((settled / 1024))}"
    printf '| %s | %s | %s | %s | %s MiB | **%s MiB** | %s MiB | %s s |\n' "$store" "$body" "$clients" "${statuses% }" \
        $((before / 1024)) $((after / 1024)) $((settled / 1024)) $((SECONDS - start))
    stop_lrs
    stop_pg
}

{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); dotnet $(dotnet --version)"
    echo "limits: $MAX_STATEMENTS statements, $MAX_BYTES bytes per request; LRS_ENV: ${LRS_ENV:-none}"
    echo
    echo "| store | body | clients | statuses | peak RSS before | peak RSS after | RSS 10 s later | time |"
    echo "|---|---|---|---|---|---|---|---|"
} | tee "$out/memory.md"
for store in "${stores[@]}"; do
    for body in ${BODIES:-max-count max-bytes max-bytes-long}; do
        for clients in ${CLIENTS:-1 3}; do measure "$store" "$body" "$clients" | tee -a "$out/memory.md"; done
    done
done
echo "results: $out"
