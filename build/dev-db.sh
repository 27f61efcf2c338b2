#!/usr/bin/env bash
# Idempotently installs and starts the PostgreSQL 15 + pgvector server the tests use.
# Cluster lives under ENGRAMIA_PG_DIR (default /var/tmp/engramia-pg) on 127.0.0.1:${ENGRAMIA_PG_PORT:-5433}.
# Re-running is quick: every step checks first and skips what is already there.
set -euo pipefail

PORT="${ENGRAMIA_PG_PORT:-5433}"
PGDIR="${ENGRAMIA_PG_DIR:-/var/tmp/engramia-pg}"
PGBIN=/usr/lib/postgresql/15/bin
DATABASES=(engramia engramia_test engramia_migrations engramia_bench)

log() { echo "dev-db: $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# 1. PostgreSQL 15 server.
if [ ! -x "$PGBIN/postgres" ]; then
  log "installing postgresql-15"
  apt_install postgresql-15 postgresql-client-15
fi

# 2. pgvector, built from Debian trixie's source package against server-dev-15.
if [ ! -f /usr/share/postgresql/15/extension/vector.control ]; then
  log "building pgvector from Debian source (trixie)"
  apt_install postgresql-server-dev-15 build-essential dpkg-dev
  work="$(mktemp -d)"
  mkdir -p "$work/lists/partial" "$work/sources.list.d"
  echo "deb-src http://deb.debian.org/debian trixie main" > "$work/sources.list"
  apt_opts=(-oDir::Etc::SourceList="$work/sources.list" -oDir::Etc::SourceParts="$work/sources.list.d"
            -oDir::State::Lists="$work/lists" -oAPT::Sandbox::User=root)
  as_root apt-get "${apt_opts[@]}" update -qq >/dev/null
  (cd "$work" && as_root apt-get "${apt_opts[@]}" source -qq --download-only pgvector >/dev/null \
     && dpkg-source -x --no-check pgvector_*.dsc src >/dev/null)
  make -s -C "$work/src" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
  as_root make -s -C "$work/src" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null
  rm -rf "$work"
fi

# 3. A private cluster owned by the postgres user (initdb refuses root).
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$PGDIR/PG_VERSION" ]; then
  log "initialising cluster in $PGDIR"
  as_root mkdir -p "$PGDIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
  run_pg "$PGBIN/initdb" -D "$PGDIR" -U postgres -A trust -E UTF8 >/dev/null
fi

# 4. Start it on loopback unless it already answers.
if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  log "starting PostgreSQL on 127.0.0.1:$PORT"
  run_pg "$PGBIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
fi

# 5. Databases with the vector extension (CREATE EXTENSION needs a superuser).
psql_q() { psql -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
for db in "${DATABASES[@]}"; do
  if [ -z "$(psql_q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql_q -d postgres -c "CREATE DATABASE $db" >/dev/null
  fi
  psql_q -d "$db" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
done
log "ready: postgresql://postgres@127.0.0.1:$PORT (databases: ${DATABASES[*]})"
