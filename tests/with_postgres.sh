#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster:
#   tests/with_postgres.sh .venv/bin/pytest
# The cluster lives in a temporary directory, runs as the `postgres` user when we are
# root, listens on a free loopback port, and is stopped and removed on exit. Debian's
# postgresql package is installed if missing. Any failure to start is fatal: the suite
# never silently skips PostgreSQL.
set -euo pipefail

find_bindir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

if ! BINDIR=$(find_bindir); then
    echo "with_postgres: PostgreSQL server not found; installing Debian's postgresql package" >&2
    if [ "$(id -u)" != 0 ]; then echo "with_postgres: need root to install postgresql" >&2; exit 1; fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BINDIR=$(find_bindir) || { echo "with_postgres: PostgreSQL still not found after install" >&2; exit 1; }
fi

TMP=$(mktemp -d /tmp/gfmd-kb-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if [ "$(id -u)" = 0 ]; then
    chown postgres "$TMP"
    as_pg() { su postgres -s /bin/sh -c "cd / && $*"; }
    DBUSER=postgres
else
    as_pg() { sh -c "$*"; }
    DBUSER=$(id -un)
fi

cleanup() {
    as_pg "'$BINDIR/pg_ctl' -D '$TMP/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

as_pg "'$BINDIR/initdb' -D '$TMP/data' -U '$DBUSER' --auth=trust --encoding=UTF8 --locale=C.UTF-8" >/dev/null
# Durability off (a throwaway cluster). PG_SHARED_BUFFERS (e.g. 2GB) overrides the server's
# default of 128 MB; the benchmark measured no gain from 2 GB at 10,000 or 100,000 practices.
as_pg "'$BINDIR/pg_ctl' -D '$TMP/data' -l '$TMP/server.log' -w -t 60 \
    -o \"-p $PORT -k '$TMP' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off ${PG_SHARED_BUFFERS:+-c shared_buffers=$PG_SHARED_BUFFERS}\" start" >/dev/null \
    || { echo "with_postgres: PostgreSQL failed to start:" >&2; cat "$TMP/server.log" >&2; exit 1; }

VERSION=$(as_pg "'$BINDIR/psql' -h 127.0.0.1 -p $PORT -U '$DBUSER' -d postgres -Atc 'show server_version'")
echo "with_postgres: PostgreSQL $VERSION on 127.0.0.1:$PORT" >&2

export DATABASE_URL="postgres://$DBUSER@127.0.0.1:$PORT/gfmd_kb"
"$@"
