#!/usr/bin/env bash
# Run a command with a throwaway Redis as the cache: tests/with_redis.sh .venv/bin/pytest
# The server listens on a free loopback port, keeps nothing on disk, and is stopped on
# exit. Debian's redis-server package is installed if missing. CACHE_URL points at it.
set -euo pipefail

if ! command -v redis-server >/dev/null; then
    echo "with_redis: redis-server not found; installing Debian's redis-server package" >&2
    if [ "$(id -u)" != 0 ]; then echo "with_redis: need root to install redis-server" >&2; exit 1; fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi

TMP=$(mktemp -d /tmp/gfmd-kb-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
    --daemonize yes --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log"
cleanup() {
    if [ -f "$TMP/redis.pid" ]; then kill "$(cat "$TMP/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
for _ in $(seq 50); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -p "$PORT" ping >/dev/null || { echo "with_redis: Redis failed to start:" >&2; cat "$TMP/redis.log" >&2; exit 1; }
echo "with_redis: $(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$PORT" >&2

export CACHE_URL="redis://127.0.0.1:$PORT/0"
"$@"
