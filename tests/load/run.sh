#!/usr/bin/env bash
# Load figures anyone can reproduce: the seed knowledge base served by gunicorn (DEBUG off,
# production settings, WEB_CONCURRENCY workers) on 127.0.0.1, driven by wrk, on SQLite and
# then on a throwaway PostgreSQL 15.
#
#   tests/load/run.sh                      # both databases, 60 s per page, 64 connections
#   LOAD_SECONDS=10 tests/load/run.sh sqlite
#
# Prints requests per second, median and p99 latency and errors for: a practice page, the
# source reader, the home page, a search asked before (served from the page cache) and
# searches nobody asked before (each one searched and rendered).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export LOAD_DIR="$ROOT/tests/load"
SECONDS_EACH=${LOAD_SECONDS:-60}
CONNECTIONS=${LOAD_CONNECTIONS:-64}
WORKERS=${WEB_CONCURRENCY:-3}
DATABASES=${*:-sqlite postgres}

command -v wrk >/dev/null || {
    echo "load: installing Debian's wrk" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
}
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || make "$ROOT/.venv/.installed-stamp"

if [ "${1:-}" = "--serve" ]; then
    # Inner step, with DATABASE_URL set: load the seed, serve it, measure, stop.
    WORK=$(mktemp -d /tmp/gfmd-kb-load.XXXXXX)
    export DEBUG=0 SECRET_KEY="load-test-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 STATIC_ROOT="$WORK/static"
    case $DATABASE_URL in postgres*)  # with_postgres.sh names a database it leaves to us
        "$PY" -c "import os, psycopg2; url = os.environ['DATABASE_URL']
c = psycopg2.connect(url.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True
c.cursor().execute('CREATE DATABASE ' + url.rsplit('/', 1)[1])" ;;
    esac
    "$PY" manage.py migrate --noinput -v0
    "$PY" manage.py load_knowledge_base >/dev/null
    "$PY" manage.py collectstatic --noinput -v0
    PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$ROOT/.venv/bin/gunicorn" gfmd_kb.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
        --log-level warning --pid "$WORK/gunicorn.pid" &
    GUNICORN=$!
    trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null; rm -rf "$WORK"' EXIT
    BASE="http://127.0.0.1:$PORT"
    for _ in $(seq 100); do curl -sf -o /dev/null "$BASE/" && break; sleep 0.2; done
    PRACTICE=$("$PY" manage.py shell -v 0 -c "from practices.models import Practice; print(Practice.objects.published().order_by('pk').first().get_absolute_url())")
    READER=$("$PY" manage.py shell -v 0 -c "from sources.models import SourceDocument; print(SourceDocument.objects.order_by('-publication_date').first().get_absolute_url())")
    measure() { # name, path, [script]
        local script=${3:-$LOAD_DIR/report.lua}
        # Warm every worker (its indexes, its cache) before the clock starts.
        wrk -t2 -c"$WORKERS" -d3s -s "$script" "$BASE$2" >/dev/null
        local line
        line=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --timeout 10s -s "$script" "$BASE$2" | grep '^RESULT')
        printf '%-9s %-26s %s\n' "$DB" "$1" "${line#RESULT }"
    }
    measure "practice page" "$PRACTICE"
    measure "source reader" "$READER"
    measure "home" "/"
    measure "search, asked before" "/practices/?q=seasonal+workers&country=MEX"
    measure "search, never asked" "/practices/" "$LOAD_DIR/uncached_search.lua"
    exit 0
fi

echo "load: $WORKERS gunicorn workers, $CONNECTIONS connections, ${SECONDS_EACH} s per page, $(nproc) cores"
for DB in $DATABASES; do
    case $DB in
        sqlite)
            TMPDB=$(mktemp -d /tmp/gfmd-kb-load-db.XXXXXX)
            DB=sqlite DATABASE_URL="sqlite:///$TMPDB/kb.sqlite3" "$0" --serve
            rm -rf "$TMPDB"
            ;;
        postgres)
            DB=postgres tests/with_postgres.sh "$0" --serve
            ;;
        *) echo "load: unknown database $DB (sqlite or postgres)" >&2; exit 2 ;;
    esac
done
