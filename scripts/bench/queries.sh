#!/usr/bin/env bash
# Statement queries, competence profiles and unit gaps at scale, on the demo tenant that `follow-up.sh seed` leaves running
# (10,000 people, about 1,060,000 statements): each read under wrk for SECONDS, with its p50 and p99.
#
#   scripts/bench/queries.sh DIR [SECONDS]     DIR as given to follow-up.sh seed; SECONDS per read (default 15)
#
# env: LRS_DLL (default this checkout's Release build, built first), STATEMENT_CONNS (16), PROFILE_CONNS (4), GAPS_CONNS (2),
#      WARM (30): seconds of each read before it is measured. A fresh process compiles its code for half a minute or more
#      under load (the runtime's tiered compilation); measured from the start, the first reads were up to twice as slow.
# Prints per read: req/s, p50 and p99, and the CPU milliseconds the LRS and PostgreSQL (all its processes) used per request.
# The reads, each over random arguments drawn from the tenant once:
#   agent            GET /xapi/statements?agent={one of 500 people's agents}&limit=100
#   verb+activity    GET /xapi/statements?verb=…&activity=…&limit=100   (the verb and object of 500 random statements)
#   related          GET /xapi/statements?activity={a context activity of those}&related_activities=true&limit=100
#   profile          GET /api/people/{random person}/profile
#   gaps             GET /api/units/{random unit}/gaps
# A build with a newer schema migrates the database first (timed and printed): time the older build first.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
(($# >= 1)) || { echo "usage: $0 DIR [SECONDS]" >&2; exit 2; }
dir=$(realpath -m -- "$1") seconds=${2:-15}
STATEMENT_CONNS=${STATEMENT_CONNS:-16} PROFILE_CONNS=${PROFILE_CONNS:-4} GAPS_CONNS=${GAPS_CONNS:-2} WARM=${WARM:-30}
# shellcheck source=lib.sh
source "$here/lib.sh"
seed_start queries

use_seed "$dir"
sql "ANALYZE statements" >/dev/null
start_lrs Postgres "$conn" "$work/lrs.log"
base=${endpoint%/xapi}
auth="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")

# The arguments, URL-encoded, drawn once per run (the same sample for every build of one seed: setseed).
draw_statement_reads "$work"
sql "SELECT setseed(0.42); SELECT DISTINCT a FROM (SELECT split_part(context_activities, chr(31), 1) AS a FROM follow_up_facts WHERE tenant_id = $bench
    AND context_activities <> '' ORDER BY random() LIMIT 500) x" | enc one >"$work/related.txt"
sql "SELECT setseed(0.42); SELECT id FROM people WHERE tenant_id = $bench ORDER BY random() LIMIT 500" >"$work/people.txt"
sql "SELECT DISTINCT value FROM person_assignments WHERE tenant_id = $bench AND kind = 'unit' AND valid_to IS NULL" >"$work/units.txt"
echo "arguments: $(wc -l <"$work/agents.txt") agents, $(wc -l <"$work/pairs.txt") verb+activity pairs, $(wc -l <"$work/related.txt") context activities," \
    "$(wc -l <"$work/people.txt") people, $(wc -l <"$work/units.txt") units"

reads=("agent|$STATEMENT_CONNS|$work/agents.txt|/xapi/statements?agent=%s&limit=100"
    "verb+activity|$STATEMENT_CONNS|$work/pairs.txt|/xapi/statements?verb=%s&limit=100"
    "related|$STATEMENT_CONNS|$work/related.txt|/xapi/statements?activity=%s&related_activities=true&limit=100"
    "profile|$PROFILE_CONNS|$work/people.txt|/api/people/%s/profile"
    "gaps|$GAPS_CONNS|$work/units.txt|/api/units/%s/gaps")
printf '%-14s %5s %s\n' read conns "$READ_COLUMNS"
pg_pid=$(head -n 1 "$dir/postmaster.pid")
for r in "${reads[@]}"; do
    IFS='|' read -r label conns ids format <<<"$r"
    ids_phase "$label" "$conns" "$ids" "$format" "$WARM" >/dev/null
    l0=$(cpu_seconds "$lrs_pid") p0=$(cpu_seconds "$pg_pid")
    line=$(ids_phase "$label" "$conns" "$ids" "$format" "$seconds")
    l1=$(cpu_seconds "$lrs_pid") p1=$(cpu_seconds "$pg_pid")
    read_summary "$(printf '%-14s %5s' "$label" "$conns")" "$line" "$l0" "$l1" "$p0" "$p1"
    [[ $(node -e 'console.log(JSON.parse(process.argv[1]).non_2xx)' "$line") == 0 ]] || echo "  first non-2xx: $(node -e 'console.log(JSON.parse(process.argv[1]).first_non_2xx)' "$line")"
done
