#!/usr/bin/env bash
# Runs the ADL LRS conformance suite against a freshly built LRS on a fresh, empty store.
#
#   scripts/conformance.sh SUITE_DIR [sqlite|postgres] [all|1.0.3|2.0.0]
#
# SUITE_DIR is a checkout of https://github.com/adlnet/lrs-conformance-test-suite; it stays where it is
# (it is never copied into this repository). Logs go to a temporary directory printed at the end.
# Exit code 0 only if every selected version passed every test.
set -euo pipefail

usage() {
    echo "usage: $0 SUITE_DIR [sqlite|postgres] [all|1.0.3|2.0.0]" >&2
    exit 2
}

[[ $# -ge 1 && $# -le 3 ]] || usage
suite=$(realpath -- "$1")
store=${2:-sqlite}
selection=${3:-all}
case "$store" in sqlite | postgres) ;; *) usage ;; esac
case "$selection" in
    all) versions=(1.0.3 2.0.0) ;;
    1.0.3 | 2.0.0) versions=("$selection") ;;
    *) usage ;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ -f "$suite/bin/console_runner.js" ]] || { echo "$suite is not the LRS conformance suite (no bin/console_runner.js)" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required to run the conformance suite" >&2; exit 1; }

work=$(mktemp -d /tmp/lrs-conformance.XXXXXX)
pg_dir=""
lrs_pid=""

cleanup() {
    local rc=$?
    if [[ -n "$lrs_pid" ]] && kill -0 "$lrs_pid" 2>/dev/null; then
        kill "$lrs_pid" 2>/dev/null || true
        # Give the host a moment to shut down gracefully, then make sure it is gone.
        for _ in $(seq 1 20); do kill -0 "$lrs_pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$lrs_pid" 2>/dev/null || true
    fi
    if [[ -n "$pg_dir" ]]; then
        "$repo/scripts/postgres.sh" stop "$pg_dir" >/dev/null || echo "warning: could not stop the cluster in $pg_dir" >&2
    fi
    rm -f "$work"/lrs.db "$work"/lrs.db-wal "$work"/lrs.db-shm
    echo "logs: $work" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on right now. Not a reservation, but the server that takes it fails loudly if it is gone.
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

if [[ ! -d "$suite/node_modules" ]]; then
    echo "installing the suite's npm dependencies in $suite"
    (cd "$suite" && npm install --no-audit --no-fund) >"$work/npm-install.log" 2>&1 \
        || { tail -n 30 "$work/npm-install.log" >&2; echo "npm install failed in $suite" >&2; exit 1; }
fi

echo "building src/Lrs.Api (Release)"
(cd "$repo" && dotnet build src/Lrs.Api -c Release -nologo) >"$work/build.log" 2>&1 \
    || { tail -n 40 "$work/build.log" >&2; echo "build failed" >&2; exit 1; }
dll="$repo/src/Lrs.Api/bin/Release/net10.0/Lrs.Api.dll"
[[ -f "$dll" ]] || { echo "build produced no $dll" >&2; exit 1; }

case "$store" in
    sqlite)
        provider=Sqlite
        connection="Data Source=$work/lrs.db"
        ;;
    postgres)
        provider=Postgres
        # Not under $work: mktemp -d makes it 700, and the postgres user must reach the cluster directory.
        pg_dir=$(mktemp -d /tmp/lrs-conformance-pg.XXXXXX)
        connection=$("$repo/scripts/postgres.sh" start "$pg_dir" "$(free_port)")
        ;;
esac

port=$(free_port)
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
endpoint="http://127.0.0.1:$port/xapi"

echo "starting the LRS on $endpoint ($provider)"
# Run from the output directory so the host finds its appsettings*.json as content root.
(
    cd "$(dirname "$dll")"
    export Lrs__Storage__Provider="$provider"
    export Lrs__Storage__ConnectionString="$connection"
    export Lrs__Bootstrap__Key=conformance
    export Lrs__Bootstrap__Secret="$secret"
    export ASPNETCORE_URLS="http://127.0.0.1:$port"
    exec dotnet "$dll"
) >"$work/lrs.log" 2>&1 &
lrs_pid=$!

ready=""
for _ in $(seq 1 120); do
    if ! kill -0 "$lrs_pid" 2>/dev/null; then
        tail -n 40 "$work/lrs.log" >&2
        echo "the LRS exited during startup" >&2
        exit 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' "$endpoint/about" || true)
    if [[ "$code" == 200 ]]; then ready=1; break; fi
    sleep 0.5
done
if [[ -z "$ready" ]]; then
    tail -n 40 "$work/lrs.log" >&2
    echo "GET $endpoint/about did not answer 200 within 60s (last status: ${code:-none})" >&2
    exit 1
fi

# Reads the runner's JSON run log and prints "STATE PASSED FAILED TOTAL" on the first line, then one line per
# failure: the requirement's title, the failed test's title and the first line of its error.
# A failing hook ("before all") marks its suite as failed, so failures are nodes carrying an error, not only leaves.
summarize() {
    node - "$1" <<'EOF'
const fs = require('fs');
const run = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const s = run.summary || {};
const n = v => (typeof v === 'number' ? v : 0);
console.log([run.state || 'unknown', n(s.passed), n(s.failed), n(s.total)].join(' '));
(function walk(node, path) {
    if (!node) return;
    const here = node.title ? path.concat(node.title) : path;
    if (node.status === 'failed' && node.error !== undefined && node.error !== null) {
        // The parent title names the requirement (e.g. "... (Data 2.2.s4.b2, XAPI-00006)"); deeper ancestors add noise.
        const error = String(node.error).split('\n')[0].slice(0, 200);
        console.log(`${here.length ? here.slice(-2).join(' > ') : '(root suite hook)'}: ${error}`);
    }
    (node.tests || []).forEach(t => walk(t, here));
})(run.log, []);
EOF
}

summary_lines=()
all_passed=1
for version in "${versions[@]}"; do
    out="$work/conformance-$version.log"
    echo "running conformance suite for xAPI $version (output: $out)"
    # The runner's exit code is its failure count modulo 256, so it is not trusted; the JSON run log is.
    (cd "$suite" && timeout 2h node bin/console_runner.js -e "$endpoint" -a -u conformance -p "$secret" -x "$version") \
        >"$out" 2>&1 || true

    runlog=$(sed -n 's/^Full run log written to //p' "$out" | tail -n 1)
    if [[ -n "$runlog" && -f "$runlog" ]]; then
        # The runner writes into SUITE_DIR/logs; keep the suite clean and the evidence with the other logs.
        mv -- "$runlog" "$work/conformance-$version.json"
        summarize "$work/conformance-$version.json" >"$work/failures-$version.txt"
        read -r state passed failed total <"$work/failures-$version.txt"
        sed -i 1d "$work/failures-$version.txt"
    else
        # No run log (runner crashed or timed out): fall back to the last progress line it printed,
        # e.g. {"total":1365,"passed":12,"failed":3,"version":"1.0.3"}.
        last=$(grep -E '^\{"total":' "$out" | tail -n 1 || true)
        state=incomplete
        passed=$(sed -nE 's/.*"passed":([0-9]+).*/\1/p' <<<"$last")
        failed=$(sed -nE 's/.*"failed":([0-9]+).*/\1/p' <<<"$last")
        total=$(sed -nE 's/.*"total":([0-9]+).*/\1/p' <<<"$last")
        passed=${passed:-0} failed=${failed:-0} total=${total:-0}
        : >"$work/failures-$version.txt"
        tail -n 20 "$out" >&2
    fi

    line="$version: $passed/$total"
    extra=()
    ((failed > 0)) && extra+=("$failed failed")
    ((total - passed - failed > 0)) && extra+=("$((total - passed - failed)) not run")
    [[ "$state" != finished ]] && extra+=("run $state")
    ((${#extra[@]})) && line+=" (${extra[*]})" # e.g. "1.0.3: 1300/1365 (64 failed, 1 not run)"
    summary_lines+=("$line")
    echo "$line"

    if [[ "$state" != finished || "$failed" -ne 0 || "$passed" -ne "$total" || "$total" -eq 0 ]]; then
        all_passed=0
        if [[ -s "$work/failures-$version.txt" ]]; then
            echo "failing tests ($version, first 60 lines of $work/failures-$version.txt):"
            head -n 60 "$work/failures-$version.txt"
        fi
    fi
done

echo "== conformance summary ($store) =="
printf '%s\n' "${summary_lines[@]}"
[[ "$all_passed" == 1 ]]
