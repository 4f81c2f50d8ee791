#!/usr/bin/env bash
# The whole suite on SQLite and on a throwaway PostgreSQL (with a throwaway Redis as the
# cache), both at once: each pass spends much of its time waiting (on the database server,
# on Chromium), so on two cores the pair takes little more than the longer pass alone.
#   tests/both_databases.sh .venv/bin/pytest [pytest arguments]
# The SQLite pass writes to a log that is printed when it ends; the exit status is non-zero
# if either pass failed.
set -uo pipefail

PYTEST=$1
shift
LOG=$(mktemp /tmp/gfmd-kb-sqlite-pass.XXXXXX)
trap 'rm -f "$LOG"' EXIT

# The SQLite pass leaves pytest's cache to the other one (two writers would clash).
"$PYTEST" -p no:cacheprovider "$@" >"$LOG" 2>&1 &
SQLITE_PID=$!

echo "== PostgreSQL pass (the SQLite pass runs alongside; its output follows) =="
"$(dirname "$0")/with_redis.sh" "$(dirname "$0")/with_postgres.sh" "$PYTEST" "$@"
POSTGRES_STATUS=$?

wait "$SQLITE_PID"
SQLITE_STATUS=$?
echo "== SQLite pass =="
cat "$LOG"

echo "== SQLite: $([ $SQLITE_STATUS = 0 ] && echo passed || echo "FAILED ($SQLITE_STATUS)");" \
    "PostgreSQL: $([ $POSTGRES_STATUS = 0 ] && echo passed || echo "FAILED ($POSTGRES_STATUS)") =="
[ $SQLITE_STATUS = 0 ] && [ $POSTGRES_STATUS = 0 ]
