#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for benchmarks, conformance runs and CI preflight.
#
#   scripts/postgres.sh start DIR PORT   # prints the connection string on stdout
#   scripts/postgres.sh stop DIR         # stops the server and removes DIR
#   scripts/postgres.sh status DIR       # exit 0 if a server runs from DIR
#
# The cluster trusts every local connection: it only listens on 127.0.0.1 and its socket
# lives inside DIR, so it must never hold anything worth protecting.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_USER=postgres

die() { echo "postgres.sh: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start DIR PORT | stop DIR | status DIR" >&2
    exit 2
}

# initdb and pg_ctl refuse to run as root, so as root we run them as the postgres user.
# `cd /` keeps them from complaining about a working directory they cannot read (e.g. /root).
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        "$@"
    fi
}

conn_string() { echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=postgres"; }

is_running() { [[ -f "$1/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }

# Port of a running cluster: line 4 of postmaster.pid.
running_port() { sed -n 4p "$1/postmaster.pid"; }

show_log() {
    if [[ -f "$1/server.log" ]]; then
        echo "---- last lines of $1/server.log ----" >&2
        tail -n 30 "$1/server.log" >&2 || true
    fi
}

cmd_start() {
    local dir port
    [[ $# -eq 2 ]] || usage
    dir=$(realpath -m -- "$1")
    port=$2
    [[ "$port" =~ ^[0-9]+$ ]] && ((10#$port > 0 && 10#$port < 65536)) || die "invalid port '$port'"
    [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL binaries not found in $PG_BIN (install postgresql-15)"

    if is_running "$dir"; then
        local actual
        actual=$(running_port "$dir")
        echo "postgres.sh: a server is already running from $dir on port $actual" >&2
        [[ "$actual" == "$port" ]] || echo "postgres.sh: note: requested port $port, using running port $actual" >&2
        conn_string "$actual"
        return 0
    fi

    if [[ -e "$dir" && ! -f "$dir/PG_VERSION" && -n "$(ls -A -- "$dir")" ]]; then
        die "$dir exists, is not empty and is not a PostgreSQL cluster; refusing to use it"
    fi

    mkdir -p -- "$dir"
    # mktemp -d makes 700 directories; the postgres user must be able to enter and own DIR. A cluster's own directory must be
    # 700 or 750 for the server to start again on it.
    if [[ -f "$dir/PG_VERSION" ]]; then chmod 700 -- "$dir"; else chmod 755 -- "$dir"; fi
    if [[ $(id -u) -eq 0 ]]; then
        chown "$PG_USER:" -- "$dir"
        runuser -u "$PG_USER" -- test -w "$dir" \
            || die "user $PG_USER cannot reach $dir (a parent directory is probably not traversable)"
    fi

    if [[ ! -f "$dir/PG_VERSION" ]]; then
        # --no-sync only skips flushing the freshly created template files; the running server keeps fsync on.
        local initlog
        if ! initlog=$(as_pg "$PG_BIN/initdb" -D "$dir" --auth=trust -U postgres -E UTF8 --locale=C \
                --no-sync --no-instructions 2>&1); then
            echo "$initlog" >&2
            die "initdb failed for $dir"
        fi
    fi

    # Socket in DIR: no dependency on /var/run/postgresql, and no clash with other clusters.
    local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on"
    opts+=" -c shared_buffers=256MB -c max_connections=200"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null 2>&1; then
        show_log "$dir"
        die "server in $dir did not start on 127.0.0.1:$port (port in use?)"
    fi

    # pg_ctl -w already waited; pg_isready proves the TCP listener, which is what clients use.
    local i
    for ((i = 0; i < 60; i++)); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
            conn_string "$port"
            return 0
        fi
        sleep 0.5
    done
    show_log "$dir"
    die "server in $dir started but does not answer on 127.0.0.1:$port"
}

cmd_stop() {
    local dir
    [[ $# -eq 1 ]] || usage
    dir=$(realpath -m -- "$1")
    [[ -e "$dir" ]] || { echo "postgres.sh: $dir does not exist; nothing to stop" >&2; return 0; }
    # Only ever delete a directory that is (or was about to become) a cluster.
    if [[ ! -f "$dir/PG_VERSION" && -n "$(ls -A -- "$dir")" ]]; then
        die "$dir is not a PostgreSQL cluster; refusing to delete it"
    fi
    if is_running "$dir"; then
        as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null \
            || die "pg_ctl stop failed for $dir"
    fi
    rm -rf -- "$dir"
}

cmd_status() {
    local dir
    [[ $# -eq 1 ]] || usage
    dir=$(realpath -m -- "$1")
    if is_running "$dir"; then
        echo "running on port $(running_port "$dir")"
    else
        echo "not running"
        return 1
    fi
}

[[ $# -ge 1 ]] || usage
action=$1
shift
case "$action" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    *) usage ;;
esac
