#!/usr/bin/env bash
# Statement reads on one SQLite database, two builds in turn: per round and build, the LRS is started on DB, runs each read for
# WARM seconds, then for MEASURE seconds measured; prints req/s, p50, p99 and the CPU milliseconds the LRS used per request.
#
#   scripts/bench/sqlite-reads-ab.sh DB KEY SECRET A_DLL B_DLL
#
# DB: a SQLite file with a tenant seeded by `demo seed`, for instance (run in src/Lrs.Api; about 5 min for 320,000 statements):
#   Lrs__Storage__Provider=Sqlite Lrs__Storage__ConnectionString="Data Source=DB" dotnet DLL demo seed --tenant bench \
#       --people 3000 --statements-per-person 100 --people-per-unit 50
# KEY, SECRET: the credential it prints; the reads are of that credential's tenant. Both builds must run on DB's schema version.
# env: ROUNDS (2), WARM (15), MEASURE (15), CONNS (4), READS ("agent verb+activity"), PORT (8183). Needs wrk, node, sqlite3.
# The reads, over arguments drawn from the tenant once per run, as queries.sh draws them on PostgreSQL:
#   agent            GET /xapi/statements?agent={one of 500 people's agents}&limit=100
#   verb+activity    GET /xapi/statements?verb=…&activity=…&limit=100   (the verb and object of 500 random statements)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# == 5)) || { echo "usage: $0 DB KEY SECRET A_DLL B_DLL" >&2; exit 2; }
db=$(realpath -- "$1") key=$2 secret=$3 a_dll=$(realpath -- "$4") b_dll=$(realpath -- "$5")
ROUNDS=${ROUNDS:-2} WARM=${WARM:-15} MEASURE=${MEASURE:-15} CONNS=${CONNS:-4} READS=${READS:-agent verb+activity} PORT=${PORT:-8183}
work=$(mktemp -d)
lrs_pid=""
trap '[[ -n $lrs_pid ]] && kill "$lrs_pid" 2>/dev/null; rm -rf "$work"' EXIT

[[ $key =~ ^[A-Za-z0-9_-]+$ ]] || { echo "unexpected key $key" >&2; exit 2; }
tenant=$(sqlite3 "$db" "SELECT tenant_id FROM credentials WHERE key = '$key'")
[[ -n $tenant ]] || { echo "no credential $key in $db" >&2; exit 1; }
enc() { node -e 'const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean); console.log(l.map((x) => x.split("\t").map(encodeURIComponent).join("&activity=")).join("\n"))'; }
sqlite3 "$db" "SELECT agent FROM person_agents WHERE tenant_id = $tenant ORDER BY random() LIMIT 500" | enc >"$work/agent.txt"
sqlite3 -separator $'\t' "$db" "SELECT verb, activity FROM follow_up_facts WHERE tenant_id = $tenant AND activity IS NOT NULL ORDER BY random() LIMIT 500" | enc >"$work/verb+activity.txt"
declare -A format=([agent]="/xapi/statements?agent=%s&limit=100" [verb+activity]="/xapi/statements?verb=%s&limit=100")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
phase() {   # LABEL SECONDS: ids.lua's JSON summary line
    AUTH="Basic $(printf '%s:%s' "$key" "$secret" | base64 -w0)" IDS="$work/$1.txt" PATH_FORMAT="${format[$1]}" PHASE_LABEL="$1" XAPI_VERSION=1.0.3 \
        wrk -t2 -c"$CONNS" -d"$2s" --timeout 30s --latency -s "$here/ids.lua" "http://127.0.0.1:$PORT" 2>&1 | grep '^{"label"'
}

echo "DB $db ($(sqlite3 "$db" "SELECT count(*) FROM statements WHERE tenant_id = $tenant") statements in the tenant); A $a_dll; B $b_dll"
echo "date: $(date -u +%FT%TZ); $CONNS connections, $WARM s warm-up, $MEASURE s measured"
printf '%-6s %-5s %-14s %8s %8s %8s %10s %8s\n' round build read req/s "p50 ms" "p99 ms" "LRS ms" "load avg"
for ((round = 1; round <= ROUNDS; round++)); do
    for build in A B; do
        dll=$a_dll; [[ $build == B ]] && dll=$b_dll
        (cd "$(dirname "$dll")" && Lrs__Storage__Provider=Sqlite Lrs__Storage__ConnectionString="Data Source=$db" \
            ASPNETCORE_URLS="http://127.0.0.1:$PORT" exec dotnet "$dll") >"$work/lrs.log" 2>&1 &
        lrs_pid=$!
        for _ in $(seq 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/xapi/about" && break; sleep 0.5; done
        for read in $READS; do
            phase "$read" "$WARM" >/dev/null
            t0=$(cpu_ticks "$lrs_pid")
            line=$(phase "$read" "$MEASURE")
            t1=$(cpu_ticks "$lrs_pid")
            node -e 'const [j, t0, t1, r, b, l, load] = [JSON.parse(process.argv[1]), ...process.argv.slice(2)];
                if (j.non_2xx > 0) { console.error(`${b} ${l}: ${j.non_2xx} non-2xx, first ${j.first_non_2xx}`); process.exit(1); }
                console.log(`${r.padEnd(6)} ${b.padEnd(5)} ${l.padEnd(14)} ${String(j.req_per_s).padStart(8)} ${String(j.lat_ms.p50).padStart(8)} ${String(j.lat_ms.p99).padStart(8)} ${((t1 - t0) * 10 / j.requests).toFixed(2).padStart(10)} ${load}`)' \
                "$line" "$t0" "$t1" "$round" "$build" "$read" "$(cut -d' ' -f1 /proc/loadavg)"
        done
        kill "$lrs_pid"; wait "$lrs_pid" 2>/dev/null || true; lrs_pid=""
    done
done
