#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on loopback.
#
#   scripts/with-postgres.sh COMMAND [ARG...]
#
# Installs Debian's postgresql when no server binaries are found, initialises a fresh
# cluster in a temporary directory (as the `postgres` user when we are root), starts it
# on 127.0.0.1 on a free port, creates a database and runs COMMAND with
# DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/jianping_test. The cluster is stopped
# and its directory removed on exit, whatever happens. COMMAND's exit status is ours.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

find_pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
    fi
}

pg_bin="$(find_pg_bin)"
if [ -z "$pg_bin" ]; then
    "$here/apt-install.sh" postgresql
    pg_bin="$(find_pg_bin)"
fi
if [ -z "$pg_bin" ]; then
    echo "error: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi

# As root the cluster must belong to an unprivileged user (PostgreSQL refuses to run as root).
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "error: running as root but there is no 'postgres' user to own the cluster" >&2
        exit 1
    fi
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/jianping-pg.XXXXXX")"
chmod 700 "$tmp"
[ "$(id -u)" -eq 0 ] && chown postgres: "$tmp"
data="$tmp/data"
log="$tmp/postgres.log"
started=

cleanup() {
    if [ -n "$started" ]; then
        echo "==> stopping PostgreSQL on port $port"
        as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 \
            || as_pg "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "==> PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') from $pg_bin: throwaway cluster in $tmp on 127.0.0.1:$port"
as_pg "$pg_bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 \
    || as_pg "$pg_bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; exit 1; }
# Durability off: this cluster is thrown away, speed matters more.
if ! as_pg "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"; then
    cat "$log" >&2
    exit 1
fi
started=1
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres jianping_test

export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/jianping_test"
echo "==> DATABASE_URL=$DATABASE_URL"
"$@"
