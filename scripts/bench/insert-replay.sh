#!/usr/bin/env bash
# PostgreSQL's cost of inserting statement rows, without the LRS: rows the LRS stored are inserted again, 100 per INSERT,
# into a copy of the statements table with all its indexes, by 1, 2 or 4 sessions at once, and PostgreSQL's CPU per row is
# read from /proc. A schema variant is compared on the same rows. What it shows: how the cost per row grows with the number
# of sessions writing at once, and what an index costs, at a resolution the whole LRS under load cannot give (RESULTS §30).
#
#   scripts/bench/insert-replay.sh
#
# env: LRS_DLL (default this checkout's Release build, built first), PREFILL (rows in the copy before the timed inserts,
#      240000), ROWS (rows inserted in each timed run, 150000): batches of 100 are posted to the LRS at 8 connections, 10 s at
#      a time, until it has stored PREFILL + ROWS statements; SESSIONS ("1 2 4"), ROUNDS (2), VARIANTS ("as-is object-key-out"):
#        as-is             the table as migrated
#        object-key-out    the object activity's hash left out of key_hashes (so out of the GIN index) and the stored-order
#                          index carrying object_hash instead (tried, not kept: RESULTS §30)
# Output: one line per run (variant, sessions, seconds, PostgreSQL µs of CPU per row) and scripts/bench/results/insert-replay-DATE/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
PREFILL=${PREFILL:-240000} ROWS=${ROWS:-150000} SESSIONS=${SESSIONS:-"1 2 4"} ROUNDS=${ROUNDS:-2}
VARIANTS=${VARIANTS:-"as-is object-key-out"}
# shellcheck source=lib.sh
source "$here/lib.sh"
pg_dir="" lrs_pid=""
bench_start insert-replay
ensure_tools
if [[ -n ${LRS_DLL:-} ]]; then lrs_dll=$(realpath "$LRS_DLL"); else build_lrs; fi

node "$here/gen-statements.js" --out "$work/data" --single 1 --batches 300 --batch-size 100 >/dev/null
start_pg
start_lrs Postgres "$pg_conn" "$out/lrs.log"
needed=$((PREFILL + ROWS))
echo "filling: batches of 100 at 8 connections until $needed statements are stored"
while (($(sql "SELECT count(*) FROM statements") < needed)); do
    AUTH="Basic $(printf 'bench:%s' "$secret" | base64 -w0)" XAPI_VERSION=1.0.3 BODIES="$work/data/batch100.jsonl" STMTS_PER_REQ=100 \
        wrk -t2 -c8 -d10s --timeout 30s -s "$here/post.lua" "$endpoint/statements" >/dev/null
done
stop_lrs
sql "CREATE TABLE replay_source AS SELECT row_number() OVER (ORDER BY seq) AS rn, s.* FROM statements s ORDER BY seq;
     CREATE INDEX ON replay_source (rn); ANALYZE replay_source"
stored=$(sql "SELECT count(*) FROM replay_source")
echo "date: $(date -u +%FT%TZ)  statements stored: $stored  load avg: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"

columns="tenant_id, id, stored, verb, registration, ref_target, is_voiding, voided, keys, key_hashes, body, object_hash"
# The columns as selected from replay_source, and the SQL that makes the copy's schema, per variant.
selected() { [[ $1 == object-key-out ]] && echo "${columns/key_hashes, body/array_remove(key_hashes, object_hash), body}" || echo "$columns"; }
schema() {
    [[ $1 == object-key-out ]] || return 0
    echo "DROP INDEX replay_tenant_id_stored_seq_voided_key_hashes_idx;
          CREATE INDEX ON replay (tenant_id, stored, seq) INCLUDE (voided, object_hash, key_hashes);"
}
batches=$((ROWS / 100))
run() { # VARIANT SESSIONS
    local variant=$1 n=$2 cols t0 c0 c1 pm w pid pids=()
    cols=$(selected "$variant")
    sql "SET client_min_messages = warning; DROP TABLE IF EXISTS replay; CREATE TABLE replay (LIKE statements INCLUDING ALL);
         INSERT INTO replay ($columns) SELECT $cols FROM replay_source WHERE rn <= $PREFILL; $(schema "$variant")"
    sql "VACUUM ANALYZE replay"; sql "CHECKPOINT"
    pm=$(pg_postmaster_pid)
    t0=$(date +%s.%N) c0=$(cpu_seconds "$pm")
    # Session w inserts batches w, w + n, w + 2n, … of the rows after the prefill, each INSERT its own 100 rows.
    for ((w = 0; w < n; w++)); do
        sql "DO \$\$ BEGIN FOR i IN 0..$((batches / n - 1)) LOOP
               INSERT INTO replay ($columns) SELECT $cols FROM replay_source
               WHERE rn > $PREFILL + (i * $n + $w) * 100 AND rn <= $PREFILL + (i * $n + $w) * 100 + 100;
             END LOOP; END \$\$" &
        pids+=($!)
    done
    # Each session waited for by itself, so that one that failed fails the run instead of leaving its rows out of the figure.
    for pid in "${pids[@]}"; do wait "$pid"; done
    c1=$(cpu_seconds "$pm")
    local rows=$((batches / n * n * 100))
    node -e 'const [v, n, s, c, r] = process.argv.slice(1); const o = {variant: v, sessions: +n, seconds: +(+s).toFixed(2),
        pg_cpu_us_per_row: Math.round(1e6 * c / r), rows: +r}; console.log(JSON.stringify(o))' \
        "$variant" "$n" "$(echo "$(date +%s.%N) - $t0" | bc)" "$(echo "$c1 - $c0" | bc)" "$rows" | tee -a "$results"
}
for ((round = 1; round <= ROUNDS; round++)); do
    for n in $SESSIONS; do
        for variant in $VARIANTS; do run "$variant" "$n"; done
    done
done
