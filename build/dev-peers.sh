#!/usr/bin/env bash
# Idempotently installs the test peers from Debian (redis-server; prometheus with promtool) and starts a private instance for the tests on
# 127.0.0.1:${ENGRAMIA_REDIS_PORT:-6390} (not the default 6379, so a system Redis never clashes).
# Data lives under ENGRAMIA_REDIS_DIR (default /var/tmp/engramia-redis); nothing is persisted.
set -euo pipefail

PORT="${ENGRAMIA_REDIS_PORT:-6390}"
DIR="${ENGRAMIA_REDIS_DIR:-/var/tmp/engramia-redis}"

log() { echo "dev-peers: $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server redis-tools)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Packages start system services only where systemd runs; the tests start their own instances.
fi

if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
  log "ready: redis://127.0.0.1:$PORT"
  exit 0
fi

mkdir -p "$DIR"
log "starting redis-server on 127.0.0.1:$PORT"
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --save "" --appendonly no \
  --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
for _ in $(seq 1 50); do
  if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
    log "ready: redis://127.0.0.1:$PORT"
    exit 0
  fi
  sleep 0.1
done
log "redis-server did not answer on port $PORT (see $DIR/redis.log)"
exit 1
