#!/usr/bin/env bash
# Stops PostgreSQL under a running LRS and shows what clients get, then starts it again.
#
#   scripts/outage.sh [PG_PORT] [LRS_PORT]
#
# Builds src/Lrs.Api (Release), starts it on a throwaway cluster (scripts/postgres.sh), posts a statement, stops the
# server, sends a statement POST, a statement GET and an /api GET (each should be a fast 503 with Retry-After), starts
# the server again and repeats the POST and GET (200). Prints the LRS's log at the end: one warning and one
# "reachable again" line, no stack traces.
set -euo pipefail
pg_port=${1:-55991}
lrs_port=${2:-18099}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
pg_bin=/usr/lib/postgresql/15/bin
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

dotnet build src/Lrs.Api -c Release -nologo -v q >/dev/null
pg_dir=$(mktemp -d /tmp/lrs-outage-pg.XXXXXX)
chmod 755 "$pg_dir"
log=$(mktemp /tmp/lrs-outage-log.XXXXXX)
connection=$(scripts/postgres.sh start "$pg_dir" "$pg_port")
Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$connection" Lrs__Bootstrap__Key=outage Lrs__Bootstrap__Secret=outage-secret \
    dotnet src/Lrs.Api/bin/Release/net10.0/Lrs.Api.dll --urls "http://127.0.0.1:$lrs_port" >"$log" 2>&1 &
lrs=$!
trap 'kill $lrs 2>/dev/null || true; scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
base="http://127.0.0.1:$lrs_port"
for _ in $(seq 120); do curl -s -o /dev/null "$base/xapi/about" && break; sleep 0.5; done

auth=(-u outage:outage-secret -H 'X-Experience-API-Version: 2.0.0' -H 'Content-Type: application/json')
statement='{"actor":{"mbox":"mailto:outage@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://example.org/courses/outage"}}'
show() { curl -s -D - "${auth[@]}" "$@" -w '  [%{time_total} s]\n' | grep -iE '^HTTP|^retry-after|^\{|\[' || true; }

echo "== database up"
show -X POST "$base/xapi/statements" -d "$statement"
echo "== database stopped"
as_pg "$pg_bin/pg_ctl" -D "$pg_dir" stop -m fast >/dev/null
show -X POST "$base/xapi/statements" -d "$statement"
show "$base/xapi/statements?limit=1"
show "$base/api/admin/credentials"
echo "== database started again"
as_pg "$pg_bin/pg_ctl" -D "$pg_dir" start -w -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" >/dev/null
sleep 2
show -X POST "$base/xapi/statements" -d "$statement"
show "$base/xapi/statements?limit=1" -o /dev/null
echo "== LRS log (warnings and later)"
grep -A1 -E '^(warn|fail|crit)|reachable again' "$log" || true
echo "stack trace lines: $(grep -c '^   at ' "$log" || true)"
