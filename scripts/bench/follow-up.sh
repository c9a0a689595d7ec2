#!/usr/bin/env bash
# The follow-up reads at scale on PostgreSQL, on one demo tenant seeded once and timed by as many builds as you like.
#
#   scripts/bench/follow-up.sh seed DIR [PEOPLE]   a cluster in DIR (left running) with a demo tenant of PEOPLE people
#                                                  (default 10000, ~100 statements each, units of ~50) seeded by `demo seed`
#                                                  of the LRS (LRS_DLL, default this checkout's Release build, built first)
#   scripts/bench/follow-up.sh time DIR [RUNS]     the LRS (LRS_DLL, default this checkout's Release build, built first) on
#                                                  that cluster; each read RUNS times (default 5) after one warm-up; prints
#                                                  the median time, the median CPU ms of the LRS and of PostgreSQL per read,
#                                                  and every time with the load average before the read
#   scripts/bench/follow-up.sh ingest DIR [SECONDS] batches of 100 demo statements POSTed for SECONDS (default 20) into a
#                                                  fresh tenant with the demo framework: statements/s and LRS CPU per statement
#   scripts/bench/follow-up.sh stop DIR            stops the cluster and removes DIR
#
# The reads: reach, short-term, medium-term and long-term for the last twelve months, for the learning centre Metodikum
# (all employers) and for one ~50-person unit, and before-after for that unit and the competence forflyttning around the
# first day of the month six months back. A build with a newer schema migrates the database when it starts (timed and
# printed): time the older build first.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
usage() { echo "usage: $0 seed DIR [PEOPLE] | time DIR [RUNS] | ingest DIR [SECONDS] | stop DIR" >&2; exit 2; }
(($# >= 2)) || usage
verb=$1 dir=$(realpath -m -- "$2")
# shellcheck source=lib.sh
source "$here/lib.sh"
seed_start follow-up

case "$verb" in
seed)
    people=${3:-10000}
    [[ ! -e "$dir" ]] || { echo "$dir exists" >&2; exit 1; }
    if [[ -n "${LRS_DLL:-}" ]]; then lrs_dll=$LRS_DLL; else build_lrs; fi
    pg_port=$(free_port)
    admin=$("$repo/scripts/postgres.sh" start "$dir" "$pg_port")
    psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE lrs" >/dev/null
    conn="${admin/Database=postgres/Database=lrs}"
    echo "seeding $people people ($(date -u +%T), load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    (cd "$(dirname "$lrs_dll")" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$conn" \
        dotnet "$lrs_dll" demo seed --tenant bench --people "$people" --statements-per-person 100 --people-per-unit 50) >"$work/seed.log" 2>&1 \
        || { tail -n 40 "$work/seed.log" >&2; exit 1; }
    sql "VACUUM ANALYZE"
    cp "$work/seed.log" "$dir.seed.log"
    echo "done ($(date -u +%T)): $(sql "SELECT count(*) FROM statements") statements; seed output in $dir.seed.log"
    ;;
time)
    runs=${3:-5}
    use_seed "$dir"
    start_lrs Postgres "$conn" "$work/lrs.log"
    base=${endpoint%/xapi}
    auth="Basic $(printf '%s:%s' "$key" "$bench_secret" | base64 -w0)"
    bench=$(sql "SELECT id FROM tenants WHERE name = 'bench'")
    unit=$(sql "SELECT value FROM person_assignments WHERE tenant_id = $bench AND kind = 'unit' AND valid_to IS NULL
        GROUP BY value HAVING count(*) BETWEEN 45 AND 55 ORDER BY value LIMIT 1")
    from=$(date -u -d "$(date -u +%Y-%m-15) -11 months" +%Y-%m)
    to=$(date -u +%Y-%m)
    wave=$(date -u -d "$(date -u +%Y-%m-01) -6 months" +%F)
    echo "tenant $bench, unit $unit, $from to $to, wave $wave, $runs runs"
    pg_pid=$(head -n 1 "$dir/postmaster.pid")
    median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
    printf '%-22s %9s %8s %7s %7s  %s\n' read "median ms" "LRS CPU" "PG CPU" rows "ms per run (load avg 1 min before the read)"
    for read in reach short-term medium-term long-term; do
        for scope in "centre=metodikum" "unit=$unit"; do
            paths+=("$read ${scope%%=*}|/api/follow-up/$read?from=$from&to=$to&$scope")
        done
    done
    paths+=("before-after unit|/api/follow-up/before-after?unit=$unit&competence=forflyttning&date=$wave")
    for entry in "${paths[@]}"; do
        label=${entry%%|*} path=${entry#*|} times=() lrs_cpu=() pg_cpu=() notes=""
        code=$(curl -s --max-time 600 -o "$work/out.json" -w '%{http_code}' -H "Authorization: $auth" "$base$path")
        [[ "$code" == 200 ]] || { echo "$label: HTTP $code $(head -c 300 "$work/out.json")" >&2; exit 1; }
        for ((i = 0; i < runs; i++)); do
            load=$(cut -d' ' -f1 /proc/loadavg)
            l0=$(cpu_seconds "$lrs_pid"); p0=$(cpu_seconds "$pg_pid")
            t=$(curl -s --max-time 600 -o "$work/out.json" -w '%{time_total}' -H "Authorization: $auth" "$base$path")
            l1=$(cpu_seconds "$lrs_pid"); p1=$(cpu_seconds "$pg_pid")
            ms=$(awk -v t="$t" 'BEGIN{printf "%.0f", t*1000}')
            times+=("$ms"); notes+="$ms ($load) "
            lrs_cpu+=("$(awk -v a="$l0" -v b="$l1" 'BEGIN{printf "%.0f", (b-a)*1000}')")
            pg_cpu+=("$(awk -v a="$p0" -v b="$p1" 'BEGIN{printf "%.0f", (b-a)*1000}')")
        done
        rows=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).rows.length)' "$work/out.json")
        printf '%-22s %9s %8s %7s %7s  %s\n' "$label" "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%s\n' "${lrs_cpu[@]}" | median)" \
            "$(printf '%s\n' "${pg_cpu[@]}" | median)" "$rows" "$notes"
        cp "$work/out.json" "$dir.$(tr ' ' '-' <<<"$label").json"
    done
    ;;
ingest)
    # What writing follow-up's rows costs at ingest: batches of 100 demo statements (the demo framework, so evidence is
    # extracted too) POSTed into a fresh tenant of the cluster for SECONDS (default 20) over 4 connections.
    seconds=${3:-20}
    [[ -f "$dir/postmaster.pid" ]] || { echo "no cluster runs from $dir (seed it first)" >&2; exit 1; }
    pg_port=$(sed -n 4p "$dir/postmaster.pid")
    conn="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=lrs"
    if [[ -n "${LRS_DLL:-}" ]]; then lrs_dll=$LRS_DLL; else build_lrs; fi
    cli() { (cd "$(dirname "$lrs_dll")" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$conn" dotnet "$lrs_dll" "$@"); }
    name="ingest-$(date +%s)"
    cli tenants create "$name" >/dev/null
    cli framework import --tenant "$name" "$(dirname "$lrs_dll")/Demo/care-framework.json" >/dev/null
    created=$(cli credentials create --tenant "$name" --name ingest --scopes statements/write)
    k=$(sed -n 's/^ *key: *//p' <<<"$created"); s=$(sed -n 's/^ *secret: *//p' <<<"$created")
    cli demo statements --out "$work/bodies.jsonl" --people 300 --statements-per-person 100 --batch 100 >/dev/null
    start_lrs Postgres "$conn" "$work/lrs.log"
    tid=$(sql "SELECT id FROM tenants WHERE name = '$name'")
    sql "CHECKPOINT"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    lrs0=$(cpu_seconds "$lrs_pid"); t0=$(date +%s.%N)
    AUTH="Basic $(printf '%s:%s' "$k" "$s" | base64 -w0)" BODIES="$work/bodies.jsonl" STMTS_PER_REQ=100 PHASE_LABEL=ingest XAPI_VERSION=1.0.3 \
        wrk -t2 -c4 -d"${seconds}s" --timeout 30s --latency -s "$here/post.lua" "$endpoint/statements" >"$work/wrk.txt" 2>&1
    t1=$(date +%s.%N); lrs1=$(cpu_seconds "$lrs_pid")
    stored=$(sql "SELECT count(*) FROM statements WHERE tenant_id = $tid")
    facts=$(sql "SELECT count(*) FROM pg_class WHERE relname = 'follow_up_facts'")
    ((facts == 0)) || facts=$(sql "SELECT count(*) FROM follow_up_facts WHERE tenant_id = $tid")
    awk -v n="$stored" -v a="$t0" -v b="$t1" -v c="$lrs0" -v d="$lrs1" -v f="$facts" -v l="$load" \
        'BEGIN{printf "ingest: %d statements in %.1f s: %.0f statements/s, LRS CPU %.2f ms per statement, %d follow-up rows (load avg %s)\n", n, b-a, n/(b-a), (d-c)*1000/n, f, l}'
    grep -E "^ +(50|99)%" "$work/wrk.txt" | tr -s ' ' | sed 's/^ /  p/'
    ;;
stop)
    "$repo/scripts/postgres.sh" stop "$dir"
    rm -f "$dir".*.json "$dir.seed.log"
    ;;
*) usage ;;
esac
