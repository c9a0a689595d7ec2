# Shared by scripts/bench/run.sh and scripts/bench/peer-load.sh (sourced, not run).
# Starts a throwaway PostgreSQL cluster and the LRS on free loopback ports, and stops exactly what it started.
# Callers set: repo, work (a scratch directory). Provides: pg_dir, pg_port, pg_conn, lrs_pid, endpoint, secret.

pg_dir=""
lrs_pid=""

bench_cleanup() {
    stop_lrs
    stop_pg
}

# bench_start NAME: a results directory ($out, $results = $out/NAME.jsonl) and a scratch directory ($work), both
# removed or kept as usual on exit, with everything started stopped whatever way the script ends.
bench_start() {
    out="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
    mkdir -p "$out"
    results="$out/$1.jsonl"
    work=$(mktemp -d /tmp/lrs-bench.XXXXXX)
    trap 'rc=$?; bench_cleanup; rm -rf "$work"; exit "$rc"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# seed_start NAME: for the scripts that time reads on a seeded cluster (follow-up.sh, queries.sh, reads-ab.sh): a scratch
# directory ($work), removed, and the LRS stopped, whatever way the script ends (the cluster is the seed's, left running).
seed_start() {
    work=$(mktemp -d "/tmp/lrs-$1.XXXXXX")
    trap 'rc=$?; stop_lrs; rm -rf "$work"; exit "$rc"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# sql SQL: one statement against the database lrs of the cluster on $pg_port, its rows unaligned, stopping at an error.
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d lrs -c "$1"; }

# ab_start NAME "$@": for the scripts that compare two builds (usage: SCRIPT A_DLL B_DLL). Sets $a_dll and $b_dll
# (absolute), $out (results/NAME-DATE), $results and $work, and stops both LRSs ($a_pid, $b_pid) and the cluster
# whatever way the script ends; then starts the cluster and records the builds and the load in $out/machine.txt.
ab_start() {
    local name=$1
    shift
    [[ $# == 2 && -f "$1" && -f "$2" ]] || { echo "usage: $0 A_DLL B_DLL" >&2; exit 2; }
    a_dll=$(realpath "$1") b_dll=$(realpath "$2") a_pid="" b_pid=""
    out="$here/results/$name-$(date -u +%Y%m%dT%H%M%SZ)"
    mkdir -p "$out"
    results="$out/results.jsonl"
    work=$(mktemp -d "/tmp/lrs-$name.XXXXXX")
    trap 'rc=$?; for pid in "$a_pid" "$b_pid"; do lrs_pid=$pid; stop_lrs; done; stop_pg; rm -rf "$work"; exit "$rc"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    ensure_tools
    start_pg
    echo "A: $a_dll"$'\n'"B: $b_dll"$'\n'"date: $(date -u +%FT%TZ)  load avg at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"
}

# A port nobody listens on right now (not a reservation; whoever takes it fails loudly if it is gone).
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

ensure_tools() {
    command -v dotnet >/dev/null || { echo "dotnet SDK is required" >&2; exit 1; }
    command -v node >/dev/null || { echo "node is required (statement generator)" >&2; exit 1; }
    command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
    if ! command -v wrk >/dev/null; then
        echo "installing wrk (apt-get)"
        if [[ $(id -u) -eq 0 ]]; then
            apt-get install -y wrk >"$work/apt.log" 2>&1 || { apt-get update >>"$work/apt.log" 2>&1 && apt-get install -y wrk >>"$work/apt.log" 2>&1; } \
                || { tail -n 20 "$work/apt.log" >&2; echo "could not install wrk" >&2; exit 1; }
        else
            sudo apt-get install -y wrk || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
        fi
    fi
}

build_lrs() {
    echo "building src/Lrs.Api (Release)"
    (cd "$repo" && dotnet build src/Lrs.Api -c Release -nologo) >"$work/build.log" 2>&1 \
        || { tail -n 40 "$work/build.log" >&2; echo "build failed" >&2; exit 1; }
    lrs_dll="$repo/src/Lrs.Api/bin/Release/net10.0/Lrs.Api.dll"
    [[ -f "$lrs_dll" ]] || { echo "build produced no $lrs_dll" >&2; exit 1; }
}

# start_pg: a fresh cluster in a new directory; pg_conn points at database "lrs" (created here).
start_pg() {
    # Not under $work: the postgres user must be able to reach the cluster directory.
    pg_dir=$(mktemp -d /tmp/lrs-bench-pg.XXXXXX)
    pg_port=$(free_port)
    local admin
    admin=$("$repo/scripts/postgres.sh" start "$pg_dir" "$pg_port")
    pg_admin_conn="$admin"
    psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE lrs" >/dev/null
    pg_conn="${admin/Database=postgres/Database=lrs}"
}

stop_pg() {
    if [[ -n "$pg_dir" ]]; then
        "$repo/scripts/postgres.sh" stop "$pg_dir" >/dev/null || echo "warning: could not stop the cluster in $pg_dir" >&2
        pg_dir=""
    fi
}

pg_postmaster_pid() { [[ -n "$pg_dir" && -f "$pg_dir/postmaster.pid" ]] && head -n 1 "$pg_dir/postmaster.pid"; }

# start_lrs PROVIDER CONNECTION LOG: starts the Release build, waits for GET /xapi/about.
start_lrs() {
    local provider=$1 connection=$2 log=$3 port code=""
    port=$(free_port)
    secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    endpoint="http://127.0.0.1:$port/xapi"
    (
        cd "$(dirname "$lrs_dll")"
        export Lrs__Storage__Provider="$provider"
        export Lrs__Storage__ConnectionString="$connection"
        export Lrs__Bootstrap__Key=bench
        export Lrs__Bootstrap__Secret="$secret"
        export ASPNETCORE_URLS="http://127.0.0.1:$port"
        exec dotnet "$lrs_dll"
    ) >"$log" 2>&1 &
    lrs_pid=$!
    for _ in $(seq 1 120); do
        if ! kill -0 "$lrs_pid" 2>/dev/null; then
            tail -n 40 "$log" >&2
            echo "the LRS exited during startup" >&2
            lrs_pid=""
            exit 1
        fi
        code=$(curl -s -o /dev/null -w '%{http_code}' "$endpoint/about" || true)
        [[ "$code" == 200 ]] && return 0
        sleep 0.5
    done
    tail -n 40 "$log" >&2
    echo "GET $endpoint/about did not answer 200 within 60s (last status: ${code:-none})" >&2
    exit 1
}

stop_lrs() {
    if [[ -n "$lrs_pid" ]] && kill -0 "$lrs_pid" 2>/dev/null; then
        kill "$lrs_pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$lrs_pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$lrs_pid" 2>/dev/null || true
    fi
    lrs_pid=""
}

# CPU seconds (user+sys, reaped children included) used so far by the process trees rooted at the given PIDs.
cpu_seconds() {
    local tick total=0 p s f
    tick=$(getconf CLK_TCK)
    local -a todo=("$@") all=()
    while ((${#todo[@]})); do
        p=${todo[0]}; todo=("${todo[@]:1}")
        [[ -z "$p" ]] && continue
        all+=("$p")
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do todo+=("$c"); done
    done
    for p in "${all[@]}"; do
        s=$(cat /proc/"$p"/stat 2>/dev/null) || continue
        s=${s##*) }
        read -r -a f <<<"$s"
        total=$((total + f[11] + f[12] + f[13] + f[14]))
    done
    awk -v t="$total" -v k="$tick" 'BEGIN{printf "%.2f\n", t/k}'
}

# use_seed DIR: the cluster and credential that `follow-up.sh seed DIR` left (pg_port, conn, key, bench_secret), the build
# LRS_DLL (default this checkout's Release build, built first) in lrs_dll, and the migrations that build's schema adds
# applied by an operator verb (a backfill may take longer than a start may), timed and printed. Needs sql() and $work.
use_seed() {
    local dir=$1 t0
    [[ -f "$dir/postmaster.pid" ]] || { echo "no cluster runs from $dir (seed it with follow-up.sh seed first)" >&2; exit 1; }
    pg_port=$(sed -n 4p "$dir/postmaster.pid")
    conn="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=lrs"
    key=$(sed -n 's/^ *key: *//p' "$dir.seed.log" | head -n 1)
    bench_secret=$(sed -n 's/^ *secret: *//p' "$dir.seed.log" | head -n 1)
    [[ -n "$key" && -n "$bench_secret" ]] || { echo "no credential in $dir.seed.log" >&2; exit 1; }
    if [[ -n "${LRS_DLL:-}" ]]; then lrs_dll=$LRS_DLL; else build_lrs; fi
    t0=$(date +%s.%N)
    (cd "$(dirname "$lrs_dll")" && Lrs__Storage__Provider=Postgres Lrs__Storage__ConnectionString="$conn" dotnet "$lrs_dll" tenants list) >"$work/migrate.log" 2>&1 \
        || { cat "$work/migrate.log" >&2; exit 1; }
    echo "build: $lrs_dll; schema version $(sql "SELECT max(version) FROM schema_migrations"), migrations and tenants list took" \
        "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; $(sql "SELECT count(*) FROM statements") statements (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
}

# enc one|pair: URL-encodes stdin's lines (pair: "verb<TAB>activity" as "verb&activity=activity").
enc() { node -e 'const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean); console.log(l.map((x) => process.argv[1] === "pair" ? x.split("\t").map(encodeURIComponent).join("&activity=") : encodeURIComponent(x)).join("\n"))' "$1"; }

# draw_statement_reads DIR: the arguments of the statement reads, drawn from the tenant $bench with a fixed seed (the same for
# every build of one seed), URL-encoded: DIR/agents.txt (500 people's agents), DIR/pairs.txt (the verb and object of 500
# statements). Needs sql().
draw_statement_reads() {
    sql "SELECT setseed(0.42); SELECT agent FROM (SELECT DISTINCT ON (person_id) agent, person_id FROM person_agents WHERE tenant_id = $bench ORDER BY person_id, agent) a ORDER BY random() LIMIT 500" \
        | enc one >"$1/agents.txt"
    sql "SELECT setseed(0.42); SELECT verb, activity FROM follow_up_facts WHERE tenant_id = $bench AND activity IS NOT NULL ORDER BY random() LIMIT 500" \
        | sed 's/|/\t/' | enc pair >"$1/pairs.txt"
}

# ids_phase LABEL CONNS IDS FORMAT SECONDS: wrk (ids.lua) GETs FORMAT with a random line of IDS at CONNS connections against $base with
# $auth for SECONDS; prints ids.lua's JSON summary line.
ids_phase() {
    AUTH="$auth" IDS="$3" PATH_FORMAT="$4" PHASE_LABEL="$1" XAPI_VERSION=1.0.3 \
        wrk -t2 -c"$2" -d"$5s" --timeout 30s --latency -s "$here/ids.lua" "$base" 2>&1 | grep '^{"label"' || { echo "$1: wrk produced no summary" >&2; exit 1; }
}

# read_summary PREFIX LINE LRS0 LRS1 PG0 PG1: PREFIX, then from ids_phase's LINE req/s, p50, p99, the CPU ms the LRS and
# PostgreSQL used per request (cpu_seconds before and after), non-2xx and the load average; the header is READ_COLUMNS.
READ_COLUMNS=$(printf '%9s %8s %8s %8s %8s %8s %s' "req/s" "p50 ms" "p99 ms" "LRS ms" "PG ms" "non-2xx" "load avg")
read_summary() {
    node -e 'const o = JSON.parse(process.argv[2]); const per = (a, b) => (1000 * (b - a) / o.requests).toFixed(2).padStart(8);
        console.log([process.argv[1], o.req_per_s.toFixed(0).padStart(9), o.lat_ms.p50.toFixed(1).padStart(8), o.lat_ms.p99.toFixed(1).padStart(8),
        per(+process.argv[3], +process.argv[4]), per(+process.argv[5], +process.argv[6]), String(o.non_2xx).padStart(8), process.argv[7]].join(" "))' \
        "$1" "$2" "$3" "$4" "$5" "$6" "$(cut -d' ' -f1 /proc/loadavg)"
}

# post_load BODIES STATEMENTS_PER_REQUEST CONNECTIONS SECONDS: wrk's POST load of ../shared/load's post.lua against the LRS
# at $endpoint (AUTH and XAPI_VERSION exported by the caller), its report on stdout.
post_load() {
    BODIES=$1 STMTS_PER_REQ=$2 PHASE_LABEL=phase wrk -t2 -c"$3" -d"$4s" --timeout 30s --latency -s "$here/post.lua" "$endpoint/statements" 2>&1
}

# start_warmed_lrs [LRS_DLL] [SQL]: a fresh cluster and the LRS (LRS_DLL, or this checkout built in Release) on it, SQL run
# in its database once it has migrated it, and the load's bodies generated in $work/data; then the LRS warmed as for
# ../shared/yardstick/side-by-side.sh: 15 s of batches of 100 at 8 connections and 15 s of single statements at 16, twice.
start_warmed_lrs() {
    ensure_tools
    if [[ -n "${1:-}" ]]; then lrs_dll=$(realpath "$1"); else build_lrs; fi
    start_pg
    start_lrs Postgres "$pg_conn" "$work/lrs.log"
    [[ -z "${2:-}" ]] || sql "$2" >/dev/null
    node "$here/gen-statements.js" --out "$work/data" >/dev/null
    export AUTH="Basic $(printf 'bench:%s' "$secret" | base64 -w0)" XAPI_VERSION=1.0.3
    for _ in 1 2; do
        post_load "$work/data/batch100.jsonl" 100 8 15 >/dev/null
        post_load "$work/data/single.jsonl" 1 16 15 >/dev/null
    done
}
