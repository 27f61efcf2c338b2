#!/usr/bin/env bash
# Compose drill: docs/runbook.md on a real Docker engine, with the shipped deploy/ files unchanged.
#
# Installs (Debian packages, if missing) and starts dockerd 20.10 with the Compose v2 plugin, builds
# every image locally, serves the API images from a local registry, then types the runbook's commands
# in DEPLOY_PATH as an operator would: first deploy, the standard deployment (steps 1-8) from PREV_TAG
# to IMAGE_TAG, the health verification through Caddy, the rollback (steps 1-7), the migration
# commands, and the troubleshooting rows. After every step it checks that no pattern learned before
# the deploy is lost. It measures the restart gap through Caddy during step 5 and tears everything
# down at the end (containers, networks, volumes, the daemon it started and its host network changes).
#
# Images (see "How this runbook is tested" in docs/runbook.md for why):
#   engramia-drill/debian:bookworm        debootstrap --variant=minbase, imported (no registry reachable)
#   engramia-drill/dotnet-{sdk,aspnet}    the host's /usr/share/dotnet on that base (build/compose-drill/dotnet.Dockerfile),
#                                         passed to deploy/Dockerfile as DOTNET_SDK_IMAGE / DOTNET_RUNTIME_IMAGE
#   engramia-drill/pgvector, …/caddy      Debian's PostgreSQL 15 + pgvector (trixie source) and Caddy,
#                                         named through PGVECTOR_IMAGE / CADDY_IMAGE in .env
#   $REGISTRY/engramia/engramia:PREV_TAG  deploy/Dockerfile on this checkout
#   $REGISTRY/engramia/engramia:IMAGE_TAG deploy/Dockerfile on a copy of this checkout plus one test-only
#                                         migration (build/compose-drill/ComposeDrillRelease.cs)
#
# Usage: build/compose-drill.sh    (as root; exit 0 when every step passed, 1 at the first failure)
# Environment: COMPOSE_DRILL_DIR (default /var/tmp/engramia-compose-drill), COMPOSE_DRILL_REGISTRY_PORT
# (5959), COMPOSE_DRILL_KEEP=1 leaves the stack and the daemon running for a look (tear down by
# running the drill again or `build/compose-drill.sh --down`).
# The daemon's data (/var/lib/docker: images and build cache) is kept, so a re-run on the same
# machine is fast; the daemon itself is stopped at the end when the drill started it.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
STARTED=$SECONDS

DRILL_DIR="${COMPOSE_DRILL_DIR:-/var/tmp/engramia-compose-drill}"
DEPLOY_PATH="$DRILL_DIR/opt-engramia"          # plays /opt/engramia on the VM
REGISTRY="127.0.0.1:${COMPOSE_DRILL_REGISTRY_PORT:-5959}"
REGISTRY_USER=drill
BASE_IMAGE=engramia-drill/debian:bookworm
SDK_IMAGE=engramia-drill/dotnet-sdk:10.0
RUNTIME_IMAGE=engramia-drill/dotnet-aspnet:10.0
PGVECTOR_IMAGE=engramia-drill/pgvector:0.8.0-pg15
CADDY_IMAGE=engramia-drill/caddy:2.6-debian
STATE="$DRILL_DIR/state"                        # what the drill changed on the host, for the teardown
export DOCKER_CONFIG="$DRILL_DIR/docker-config" # docker login credentials stay in the drill's folder
mkdir -p "$DRILL_DIR" "$STATE" "$DOCKER_CONFIG"

VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)"
COMMIT="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
# The commit's time, not the clock's: the same checkout builds the same image, so a re-run hits the cache.
BUILD_TIME="$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || echo unknown)"
PREV_TAG_VALUE="$VERSION"                       # this checkout, as released
IMAGE_TAG_VALUE="$VERSION-drill"                # this checkout + the test-only migration

passed=0
step() { printf '\n== %s\n' "$*"; }
ok()   { passed=$((passed + 1)); printf '   ok: %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*" >&2; exit 1; }
indent() { sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/^/   | /'; }

# One runbook command, typed as the operator types it: prints "$ <command>", its output and exit code.
# op COMMAND: must succeed.  op_rc COMMAND: any exit code; the code is left in $rc.
# The output is kept in $DRILL_DIR/out (ESC[2K and other escapes stripped), the last 12 lines shown.
rc=0
op_rc() {
  printf '   $ %s\n' "$1"
  rc=0
  eval "$1" > "$DRILL_DIR/out.raw" 2>&1 || rc=$?
  sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$DRILL_DIR/out.raw" > "$DRILL_DIR/out"
  if [ -s "$DRILL_DIR/out" ]; then
    local lines; lines="$(wc -l < "$DRILL_DIR/out")"
    [ "$lines" -gt 12 ] && printf '   | … (%d lines, last 12)\n' "$lines"
    tail -n 12 "$DRILL_DIR/out" | sed 's/^/   | /'
  fi
  printf '   -> exit %d\n' "$rc"
}
op() { op_rc "$1"; [ "$rc" = 0 ] || fail "$1 (exit $rc)"; }

# ---------------------------------------------------------------------------------------------
# Host: packages, dockerd, teardown
# ---------------------------------------------------------------------------------------------
COMPOSE=(docker compose -f "$DEPLOY_PATH/docker-compose.prod.yml" --project-directory "$DEPLOY_PATH")
install_packages() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  [ -x /usr/libexec/docker/cli-plugins/docker-compose ] || need+=(docker-compose/trixie)
  [ -x /usr/libexec/docker/cli-plugins/docker-buildx ] || need+=(docker-buildx/trixie)
  [ "${#need[@]}" -eq 0 ] && return 0
  note "installing ${need[*]}"
  # Compose v2 and buildx come from trixie; the pin (100) keeps trixie out of ordinary upgrades.
  if [ ! -f /etc/apt/sources.list.d/engramia-trixie.sources ]; then
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$(debian_mirror)" > /etc/apt/sources.list.d/engramia-trixie.sources
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/engramia-trixie
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
    > "$DRILL_DIR/apt.log" 2>&1 || { tail -n 20 "$DRILL_DIR/apt.log"; fail "apt-get install ${need[*]}"; }
}
debian_mirror() { # the URIs: of the machine's own Debian sources
  local m
  m="$(grep -h -m1 '^URIs:.*debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}')"
  printf '%s' "${m:-http://deb.debian.org/debian}"
}

iptables_docker_cleanup() { # rules and chains dockerd created; anything else stays
  local table rule
  for table in filter nat; do
    iptables -t "$table" -S 2>/dev/null | grep -E '^-A ' | grep -E 'DOCKER|docker0|br-[0-9a-f]{12}' | while read -r rule; do
      [[ "$rule" == "-A DOCKER"* ]] && continue    # rules inside docker's own chains go with the chain
      eval "iptables -t $table -D ${rule#-A }" 2>/dev/null || true
    done
    iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}' | while read -r chain; do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}' | while read -r chain; do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

teardown() {
  set +e
  if docker info >/dev/null 2>&1; then
    if [ -f "$DEPLOY_PATH/docker-compose.prod.yml" ]; then
      "${COMPOSE[@]}" down -v --remove-orphans --timeout 5 >/dev/null 2>&1
    fi
    docker logout "$REGISTRY" >/dev/null 2>&1
  fi
  if [ -f "$STATE/registry.pid" ]; then
    kill "$(cat "$STATE/registry.pid")" 2>/dev/null; rm -f "$STATE/registry.pid"
  fi
  if [ -f "$STATE/dockerd.pid" ]; then
    local pid; pid="$(cat "$STATE/dockerd.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -f "$STATE/dockerd.pid"
    ip link show docker0 >/dev/null 2>&1 && ip link delete docker0
    iptables_docker_cleanup
    [ -f "$STATE/ip_forward" ] && cat "$STATE/ip_forward" > /proc/sys/net/ipv4/ip_forward && rm -f "$STATE/ip_forward"
    [ -s "$STATE/forward_policy" ] && iptables -P FORWARD "$(cat "$STATE/forward_policy")"
    rm -f "$STATE/forward_policy"
  fi
  set -e
}

on_exit() {
  local status=$?
  if [ "$status" != 0 ] && docker info >/dev/null 2>&1 && [ -f "$DEPLOY_PATH/docker-compose.prod.yml" ]; then
    echo "--- diagnostics: docker compose ps / logs --tail=40" >&2
    "${COMPOSE[@]}" ps -a 2>&1 | indent >&2 || true
    "${COMPOSE[@]}" logs --tail=40 2>&1 | indent >&2 || true
  fi
  [ -n "${probe_pid:-}" ] && kill "$probe_pid" 2>/dev/null
  if [ "${COMPOSE_DRILL_KEEP:-0}" = 1 ]; then
    echo "COMPOSE_DRILL_KEEP=1: stack and daemon left running (build/compose-drill.sh --down removes them)"
  else
    teardown
  fi
  exit "$status"
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then
    note "a Docker daemon is already running: using it, leaving it running"
    return 0
  fi
  [ -f "$STATE/ip_forward" ] || cat /proc/sys/net/ipv4/ip_forward > "$STATE/ip_forward"
  # dockerd sets the FORWARD policy to DROP; the teardown puts back what was there.
  [ -f "$STATE/forward_policy" ] || iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}' > "$STATE/forward_policy"
  dockerd > "$DRILL_DIR/dockerd.log" 2>&1 &
  echo $! > "$STATE/dockerd.pid"
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && return 0; sleep 0.25; done
  tail -n 20 "$DRILL_DIR/dockerd.log"; fail "dockerd did not start"
}

if [ "${1:-}" = --down ]; then teardown; echo "compose drill: torn down"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "build/compose-drill.sh runs as root (dockerd, apt-get, iptables)" >&2; exit 1; }
trap on_exit EXIT

step "Docker engine and Compose v2 from Debian packages"
install_packages
# A previous run that died half-way: remove what it left (stack, registry, daemon) before starting.
if [ -f "$STATE/dockerd.pid" ] || [ -f "$STATE/registry.pid" ]; then note "cleaning up after an interrupted run"; teardown; fi
start_dockerd
ok "dockerd $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), $(docker compose version), $(docker buildx version | cut -d' ' -f1,2)"

# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------
build() { # log-name docker-build-args… (BuildKit through buildx; the log keeps the full output)
  local name="$1"; shift
  local started=$SECONDS
  docker build --progress=plain "$@" > "$DRILL_DIR/build-$name.log" 2>&1 || { tail -n 40 "$DRILL_DIR/build-$name.log"; fail "docker build $name"; }
  note "built $name in $((SECONDS - started)) s"
}

step "Base images: Debian bookworm (debootstrap), .NET SDK and ASP.NET runtime stand-ins"
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  rm -rf "$DRILL_DIR/rootfs"
  debootstrap --variant=minbase bookworm "$DRILL_DIR/rootfs" "$(debian_mirror)" > "$DRILL_DIR/debootstrap.log" 2>&1 \
    || { tail -n 20 "$DRILL_DIR/debootstrap.log"; fail "debootstrap"; }
  rm -rf "$DRILL_DIR/rootfs/var/lib/apt/lists/"* "$DRILL_DIR/rootfs/var/cache/apt/"*.bin
  tar -C "$DRILL_DIR/rootfs" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$DRILL_DIR/rootfs"
fi
# The stand-ins' context: the host's .NET (hard links, no copy) and the CAs the host added to its trust store.
ctx="$DRILL_DIR/dotnet-context"
rm -rf "$ctx"; mkdir -p "$ctx/extra-ca"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"   # /usr/share/dotnet here
cp -al "$dotnet_root" "$ctx/dotnet" 2>/dev/null || cp -a "$dotnet_root" "$ctx/dotnet"
cp /usr/local/share/ca-certificates/*.crt "$ctx/extra-ca/" 2>/dev/null || true
build dotnet-aspnet -f build/compose-drill/dotnet.Dockerfile --target aspnet --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$RUNTIME_IMAGE" "$ctx"
build dotnet-sdk -f build/compose-drill/dotnet.Dockerfile --target sdk --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$SDK_IMAGE" "$ctx"
ok "$BASE_IMAGE, $SDK_IMAGE ($(docker run --rm "$SDK_IMAGE" dotnet --version)), $RUNTIME_IMAGE"

step "PostgreSQL 15 + pgvector and Caddy images from Debian packages"
build pgvector --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$PGVECTOR_IMAGE" build/compose-drill/pgvector
build caddy -f build/compose-drill/caddy.Dockerfile --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$CADDY_IMAGE" build/compose-drill
ok "$PGVECTOR_IMAGE, $CADDY_IMAGE ($(docker run --rm "$CADDY_IMAGE" caddy version | cut -d' ' -f1))"

step "API images from deploy/Dockerfile: PREV_TAG=$PREV_TAG_VALUE (this checkout) and IMAGE_TAG=$IMAGE_TAG_VALUE (+ a test-only migration)"
api_build() { # tag context
  build "api-$1" -f "$2/deploy/Dockerfile" \
    --build-arg DOTNET_SDK_IMAGE="$SDK_IMAGE" --build-arg DOTNET_RUNTIME_IMAGE="$RUNTIME_IMAGE" \
    --build-arg APP_VERSION="$1" --build-arg GIT_COMMIT="$COMMIT" --build-arg BUILD_TIME="$BUILD_TIME" \
    -t "$REGISTRY/engramia/engramia:$1" "$2"
}
api_build "$PREV_TAG_VALUE" "$REPO"
# The newer release: the files deploy/Dockerfile copies, plus ComposeDrillRelease.cs in the migrations.
next="$DRILL_DIR/next-release"
rm -rf "$next"; mkdir -p "$next"
tar -C "$REPO" --exclude='bin' --exclude='obj' -c global.json Directory.Build.props Directory.Packages.props .editorconfig \
  .config/dotnet-tools.json src deploy/Dockerfile deploy/Dockerfile.dockerignore deploy/migrate | tar -C "$next" -x
cp build/compose-drill/ComposeDrillRelease.cs "$next/src/Engramia.Infrastructure/Persistence/Migrations/Postgres/29991231000000_ComposeDrillRelease.cs"
api_build "$IMAGE_TAG_VALUE" "$next"
ok "$REGISTRY/engramia/engramia:$PREV_TAG_VALUE and :$IMAGE_TAG_VALUE ($(docker image inspect --format '{{.Size}}' "$REGISTRY/engramia/engramia:$IMAGE_TAG_VALUE" | awk '{printf "%d MB", $1/1e6}'))"

step "Local registry $REGISTRY (Debian's docker-registry, htpasswd auth), both API images pushed"
REGISTRY_PASSWORD="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$DRILL_DIR/registry/data"
htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASSWORD" > "$DRILL_DIR/registry/htpasswd" 2>/dev/null
cat > "$DRILL_DIR/registry/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $DRILL_DIR/registry/data}
  delete: {enabled: true}
http: {addr: "$REGISTRY"}
auth:
  htpasswd: {realm: engramia-drill, path: $DRILL_DIR/registry/htpasswd}
EOF
[ -z "$(ss -ltnH "( sport = :${REGISTRY##*:} )")" ] || fail "port ${REGISTRY##*:} is taken: $(ss -ltnpH "( sport = :${REGISTRY##*:} )")"
docker-registry serve "$DRILL_DIR/registry/config.yml" > "$DRILL_DIR/registry.log" 2>&1 &
echo $! > "$STATE/registry.pid"
for _ in $(seq 1 40); do curl -s -o /dev/null "http://$REGISTRY/v2/" && break; sleep 0.25; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" = 401 ] || fail "the registry does not ask for credentials"
echo "$REGISTRY_PASSWORD" | docker login "$REGISTRY" -u "$REGISTRY_USER" --password-stdin >/dev/null 2>&1 || fail "docker login $REGISTRY"
for tag in "$PREV_TAG_VALUE" "$IMAGE_TAG_VALUE"; do
  docker push -q "$REGISTRY/engramia/engramia:$tag" > /dev/null || fail "docker push $tag"
done
docker logout "$REGISTRY" >/dev/null
# Production pulls the API images: drop the local tags so `up -d` and `pull` fetch them from the registry.
docker image rm "$REGISTRY/engramia/engramia:$PREV_TAG_VALUE" "$REGISTRY/engramia/engramia:$IMAGE_TAG_VALUE" >/dev/null
ok "pushed; /v2/ answers 401 without credentials; local API tags removed so the runbook pulls them"

# ---------------------------------------------------------------------------------------------
# DEPLOY_PATH and helpers
# ---------------------------------------------------------------------------------------------
step "DEPLOY_PATH with docker-compose.prod.yml, Caddyfile and .env from .env.production.example"
[ -f "$DEPLOY_PATH/docker-compose.prod.yml" ] && "${COMPOSE[@]}" down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
for port in 80 443 8000; do
  [ -z "$(ss -ltnH "( sport = :$port )")" ] || fail "port $port (docker-compose.prod.yml publishes it) is taken: $(ss -ltnpH "( sport = :$port )")"
done
rm -rf "$DEPLOY_PATH"; mkdir -p "$DEPLOY_PATH"
cp deploy/docker-compose.prod.yml deploy/Caddyfile "$DEPLOY_PATH/"
PG_PASSWORD="pg-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BOOTSTRAP_TOKEN="drill-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
METRICS_TOKEN="metrics-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
sed -e "s|^IMAGE_TAG=.*|IMAGE_TAG=$PREV_TAG_VALUE|" \
    -e "s|^ENGRAMIA_IMAGE=.*|ENGRAMIA_IMAGE=$REGISTRY/engramia/engramia|" \
    -e "s|^CADDY_IMAGE=.*|CADDY_IMAGE=$CADDY_IMAGE|" \
    -e "s|^PGVECTOR_IMAGE=.*|PGVECTOR_IMAGE=$PGVECTOR_IMAGE|" \
    -e "s|^DOMAIN_API=.*|DOMAIN_API=localhost|" \
    -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$PG_PASSWORD|" \
    -e "s|^ENGRAMIA_DATABASE_URL=.*|ENGRAMIA_DATABASE_URL=postgresql://engramia:$PG_PASSWORD@pgvector:5432/engramia|" \
    -e "s|^ENGRAMIA_BOOTSTRAP_TOKEN=.*|ENGRAMIA_BOOTSTRAP_TOKEN=$BOOTSTRAP_TOKEN|" \
    -e "s|^ENGRAMIA_METRICS_TOKEN=.*|ENGRAMIA_METRICS_TOKEN=$METRICS_TOKEN|" \
    -e "s|^GRAFANA_ADMIN_PASSWORD=.*|GRAFANA_ADMIN_PASSWORD=drill|" \
    deploy/.env.production.example > "$DEPLOY_PATH/.env"
chmod 600 "$DEPLOY_PATH/.env"
grep -q '^[^#].*CHANGE_ME' "$DEPLOY_PATH/.env" && fail ".env still has CHANGE_ME: $(grep -v '^#' "$DEPLOY_PATH/.env" | grep CHANGE_ME)"
grep -qx "CADDY_IMAGE=$CADDY_IMAGE" "$DEPLOY_PATH/.env" && grep -qx "PGVECTOR_IMAGE=$PGVECTOR_IMAGE" "$DEPLOY_PATH/.env" || fail ".env.production.example lacks CADDY_IMAGE or PGVECTOR_IMAGE"
ok ".env: no CHANGE_ME left; ENGRAMIA_IMAGE=$REGISTRY/engramia/engramia, DOMAIN_API=localhost, PGVECTOR_IMAGE/CADDY_IMAGE = the local builds"
cd "$DEPLOY_PATH"
export GHCR_TOKEN="$REGISTRY_PASSWORD"   # the runbook's login secret, for the local registry
BASE=https://localhost

dc() { docker compose -f docker-compose.prod.yml "$@"; }     # the drill's own look-ups (not runbook lines)
psql_count() { dc exec -T pgvector psql -U engramia -d engramia -tAc "$1" 2>/dev/null | tr -d '\r\n'; }
# "<rows> <md5>" of the patterns in memory_data, read in the database: works in maintenance mode and
# at any migration (only the columns of the first migration, so a migration that adds one does not count).
db_fingerprint() {
  psql_count "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', tenant_id, project_id, key, task, design::text, success_score), E'\n' ORDER BY tenant_id, project_id, key)), '-') FROM memory_data"
}
# "<count> <sha256>" of GET /v1/export: the sorted records as the API exports them.
export_fingerprint() {
  local code
  code="$(curl -s -o "$DRILL_DIR/export.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BASE/v1/export")"
  [ "$code" = 200 ] || fail "GET /v1/export answered $code: $(head -c 300 "$DRILL_DIR/export.json")"
  python3 -c "
import json,hashlib
d=json.load(open('$DRILL_DIR/export.json'))
recs=sorted(json.dumps(r, sort_keys=True) for r in d['records'])
assert d['count']==len(recs)
print(len(recs), hashlib.sha256('\n'.join(recs).encode()).hexdigest()[:16])"
}
preserved() { # label: the learned patterns are all there (database always; the export when the API serves)
  local fp; fp="$(db_fingerprint)"
  [ "$fp" = "$DB_BEFORE" ] || fail "$1: memory_data is '$fp', was '$DB_BEFORE' before the deploy"
  if [ "${2:-}" = export ]; then
    local ex; ex="$(export_fingerprint)"
    [ "$ex" = "$EXPORT_BEFORE" ] || fail "$1: GET /v1/export is '$ex', was '$EXPORT_BEFORE'"
    ok "$1: patterns preserved: ${fp% *} rows (md5 ${fp#* }), export ${ex% *} records (sha256 ${ex#* })"
  else
    ok "$1: patterns preserved: ${fp% *} rows (md5 ${fp#* })"
  fi
  checks_preserved=$((checks_preserved + 1))
}
checks_preserved=0
status_of() { curl -s -o "$DRILL_DIR/last.json" -w '%{http_code}' "$@"; }
json() { python3 -c "import json; d=json.load(open('$DRILL_DIR/last.json')); print($1)"; }
# After `up -d engramia-api` the container is recreated without waiting: wait as an operator would,
# until Caddy gets an answer from the new process (version $1).
wait_api() {
  local want="$1" v=""
  for _ in $(seq 1 240); do
    v="$(curl -s --max-time 2 "$BASE/v1/version" | python3 -c "import sys,json; print(json.load(sys.stdin)['app_version'])" 2>/dev/null || true)"
    [ "$v" = "$want" ] && return 0
    sleep 0.5
  done
  fail "engramia-api $want did not answer through Caddy within 120 s (last version seen: '${v:-none}')"
}
deep() { # prints "<http code> <status> storage=<s> migration=<s> current=<id> expected=<id>"
  # With a key, as the runbook's verification does: anonymous callers only see the statuses.
  local code; code="$(status_of -H "Authorization: Bearer $KEY" "$BASE/v1/health/deep")"
  python3 -c "
import json; d=json.load(open('$DRILL_DIR/last.json')); c=d['checks']; m=c['migration']
print('$code', d['status'], 'storage='+c['storage']['status'], 'migration='+m['status'], 'current='+str(m['current_revision']), 'expected='+str(m['expected_revision']))"
}
# Right after a start the probes may still be warming up (the embedding model loads): an operator
# looks again. Waits up to 60 s for deep() to start with $1 and prints the last answer.
deep_until() {
  local d=""; for _ in $(seq 1 60); do d="$(deep)"; [[ "$d" == "$1"* ]] && break; sleep 1; done; printf '%s' "$d"
}
log_line() { # pattern: the first matching line of `docker compose … logs --tail=100 engramia-api` ($DRILL_DIR/out)
  grep -m1 -E "$1" "$DRILL_DIR/out" | sed -E 's/^[^|]*\| //'
}
runbook_row_has() { # text: docs/runbook.md quotes this message
  grep -qF -- "$1" "$REPO/docs/runbook.md" || fail "docs/runbook.md does not quote the real message: $1"
}

# ---------------------------------------------------------------------------------------------
# First deploy (runbook: Prerequisites / Database, First owner key)
# ---------------------------------------------------------------------------------------------
step "First deploy of PREV_TAG=$PREV_TAG_VALUE: cd /opt/engramia (here $DEPLOY_PATH)"
op "echo \"\$GHCR_TOKEN\" | docker login $REGISTRY -u $REGISTRY_USER --password-stdin"
op "IMAGE_TAG=$PREV_TAG_VALUE docker compose -f docker-compose.prod.yml up -d engramia-api caddy"
grep -q "Pulled\|Pulling" "$DRILL_DIR/out" || fail "up -d did not pull the API image from the registry"
ok "the API image came from the registry; pgvector healthy before engramia-api, engramia-api healthy before caddy (depends_on)"
for _ in $(seq 1 60); do # Caddy makes its internal CA for DOMAIN_API=localhost as it starts
  dc exec -T caddy cat /data/caddy/pki/authorities/local/root.crt > "$DRILL_DIR/caddy-root.crt" 2>/dev/null && [ -s "$DRILL_DIR/caddy-root.crt" ] && break
  sleep 0.5
done
[ -s "$DRILL_DIR/caddy-root.crt" ] || fail "Caddy did not create its internal CA"
export CURL_CA_BUNDLE="$DRILL_DIR/caddy-root.crt"   # the runbook's bare `curl -sf $BASE/…` verifies Caddy's TLS for real
wait_api "$PREV_TAG_VALUE"
ok "BASE=$BASE answers through Caddy with a certificate from Caddy's internal CA (curl trusts only that root)"
code="$(status_of "$BASE/v1/health/ready")"
[ "$code" = 503 ] || fail "/v1/health/ready answered $code before the first migration"
ok "before the first migration /v1/health/ready is 503: $(json "d['checks']['migration']['error']")"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
applied="$(grep -c "^Applying migration" "$DRILL_DIR/out" || true)"
[ "$applied" -gt 0 ] || fail "./migrate applied nothing"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current"
[[ "$(tail -n1 "$DRILL_DIR/out")" == *"(head)" ]] || fail "db current is not at head"
PREV_HEAD="$(tail -n1 "$DRILL_DIR/out" | cut -d' ' -f1)"
ok "$applied migrations applied; the head of $PREV_TAG_VALUE is $PREV_HEAD"

op "BASE=$BASE"
op "curl -sf -X POST \$BASE/v1/keys/bootstrap \\
  -H 'Content-Type: application/json' \\
  -d \"{\\\"bootstrap_token\\\": \\\"\$(grep '^ENGRAMIA_BOOTSTRAP_TOKEN=' .env | cut -d= -f2-)\\\"}\" | python3 -m json.tool"
KEY="$(python3 -c "import json,sys; print(json.load(open('$DRILL_DIR/out'))['key'])")"
[[ "$KEY" == engramia_sk_* ]] || fail "bootstrap returned no key"
code="$(status_of -X POST -H 'Content-Type: application/json' -d "{\"bootstrap_token\":\"$BOOTSTRAP_TOKEN\"}" "$BASE/v1/keys/bootstrap")"
[ "$code" = 409 ] || fail "a second bootstrap answered $code"
ok "owner key ${KEY:0:16}…; a second bootstrap answers 409: $(json "d['detail']")"
op "sed -i 's/^ENGRAMIA_BOOTSTRAP_TOKEN=.*/ENGRAMIA_BOOTSTRAP_TOKEN=/' .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
code="$(status_of -X POST -H 'Content-Type: application/json' -d "{\"bootstrap_token\":\"$BOOTSTRAP_TOKEN\"}" "$BASE/v1/keys/bootstrap")"
[ "$code" = 503 ] || fail "bootstrap with the token emptied answered $code"
ok "token emptied and engramia-api recreated: bootstrap answers 503 ($(json "d['detail']"))"

step "Patterns learned before the deploy (the rows every later step must keep)"
TASKS=("Compose drill 1: parse a CSV file and compute column statistics"
       "Compose drill 2: resize every image in a folder to thumbnails"
       "Compose drill 3: retry failed HTTP requests with exponential backoff")
for i in 0 1 2; do
  code="$(status_of -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"task\":\"${TASKS[$i]}\",\"code\":\"print('drill $i')\",\"eval_score\":8.$i}" "$BASE/v1/learn")"
  [ "$code" = 200 ] || fail "learn $i answered $code: $(cat "$DRILL_DIR/last.json")"
done
DB_BEFORE="$(db_fingerprint)"
EXPORT_BEFORE="$(export_fingerprint)"
[ "${DB_BEFORE% *}" -ge 3 ] || fail "memory_data holds ${DB_BEFORE% *} rows after 3 learns"
ok "3 learns: memory_data ${DB_BEFORE% *} rows (md5 ${DB_BEFORE#* }); GET /v1/export ${EXPORT_BEFORE% *} records (sha256 ${EXPORT_BEFORE#* })"

# ---------------------------------------------------------------------------------------------
# Standard deployment procedure, steps 1-8: PREV_TAG -> IMAGE_TAG
# ---------------------------------------------------------------------------------------------
step "Step 1: ssh deploy@<host>; cd /opt/engramia"
note "(the drill is on the host already; DEPLOY_PATH=$DEPLOY_PATH)"
op "cd $DEPLOY_PATH"

step "Step 2: set the target version"
op "IMAGE_TAG=$IMAGE_TAG_VALUE"
preserved "step 2"

maintenance_checks() { # 503 everywhere but health/version (runbook: "API returns 503 for all endpoints")
  local code path
  for path in "POST /v1/learn" "POST /v1/recall" "GET /v1/export" "GET /v1/metrics"; do
    code="$(status_of -X "${path% *}" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"task":"maintenance probe","code":"x","eval_score":5}' "$BASE${path#* }")"
    [ "$code" = 503 ] && [ "$(json "d['error_code']")" = SERVICE_UNAVAILABLE ] || fail "$path answered $code under maintenance: $(cat "$DRILL_DIR/last.json")"
  done
  local detail; detail="$(json "d['detail']")"
  runbook_row_has "$detail"
  for path in /v1/health /v1/health/deep /v1/health/ready /v1/version; do
    code="$(status_of "$BASE$path")"; [ "$code" = 200 ] || fail "$path answered $code under maintenance"
  done
  ok "$1: learn, recall, export and metrics answer 503 SERVICE_UNAVAILABLE ('$detail'); health, deep, ready and version 200"
}

step "Step 3: enable maintenance mode"
op "echo \"ENGRAMIA_MAINTENANCE=true\" >> .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
ok "the recreated engramia-api still runs $PREV_TAG_VALUE (IMAGE_TAG is not exported; .env names the running release)"
maintenance_checks "step 3"
note "(troubleshooting 'API returns 503 for all endpoints': where does the maintenance come from?)"
op "grep ENGRAMIA_MAINTENANCE .env"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api maintenance status"
grep -q '^maintenance: ' "$DRILL_DIR/out" || fail "maintenance status printed no state"
ok "troubleshooting '503 for all endpoints': .env holds ENGRAMIA_MAINTENANCE=true (fixed in step 7); shared switch: $(grep -m1 '^maintenance: ' "$DRILL_DIR/out")"
preserved "step 3"

step "Step 4: pull the new image"
docker image inspect "$REGISTRY/engramia/engramia:$IMAGE_TAG" >/dev/null 2>&1 && fail "the new image is already local; the pull would prove nothing"
op "echo \"\$GHCR_TOKEN\" | docker login $REGISTRY -u $REGISTRY_USER --password-stdin"
op "IMAGE_TAG=\$IMAGE_TAG docker compose -f docker-compose.prod.yml pull engramia-api"
docker image inspect "$REGISTRY/engramia/engramia:$IMAGE_TAG" >/dev/null 2>&1 || fail "pull did not bring $IMAGE_TAG"
ok "pulled $REGISTRY/engramia/engramia:$IMAGE_TAG from the registry"
preserved "step 4"

step "Step 5: restart with the new image (a request loop through Caddy measures the restart gap)"
rm -f "$DRILL_DIR/probe.stop"
python3 "$REPO/build/compose-drill/gap-probe.py" "$BASE/v1/health" "$CURL_CA_BUNDLE" "$DRILL_DIR/probe.stop" 0.1 300 > "$DRILL_DIR/probe.json" &
probe_pid=$!
sleep 2
op "sed -i \"s/^IMAGE_TAG=.*/IMAGE_TAG=\$IMAGE_TAG/\" .env"
grep -qx "IMAGE_TAG=$IMAGE_TAG_VALUE" .env || fail ".env does not pin $IMAGE_TAG_VALUE"
op "IMAGE_TAG=\$IMAGE_TAG docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$IMAGE_TAG"
sleep 2
touch "$DRILL_DIR/probe.stop"; wait "$probe_pid" || true; probe_pid=""
GAP="$(cat "$DRILL_DIR/probe.json")"
gap() { python3 -c "import json; d=json.loads('''$GAP'''); print($1)"; }
ok "restart gap through Caddy: $(gap "d['requests']") requests to /v1/health, $(gap "d['failed']") failed $(gap "d['errors'] or ''"), longest gap between answers $(gap "d['longest_gap_s']") s, slowest request $(gap "d['slowest_request_s']") s"
d="$(deep_until "200 degraded storage=ok migration=error")"
[[ "$d" == "200 degraded storage=ok migration=error current=$PREV_HEAD expected=29991231000000_ComposeDrillRelease" ]] || fail "deep health before step 6: $d"
mig_error="$(json "d['checks']['migration']['error']")"
[ "$(status_of "$BASE/v1/health/ready")" = 503 ] || fail "/v1/health/ready is not 503 with a migration pending"
runbook_row_has "Migration mismatch: current='"
ok "troubleshooting 'migration: error' (behind): deep health 200 degraded, migration.error \"$mig_error\"; readiness 503"
preserved "step 5"

step "Step 6: run database migrations"
op "IMAGE_TAG=\$IMAGE_TAG docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
grep -q "Applying migration '29991231000000_ComposeDrillRelease'" "$DRILL_DIR/out" || fail "./migrate did not apply the release's migration"
d="$(deep_until "200 ok ")"
[[ "$d" == "200 ok storage=ok migration=ok current=29991231000000_ComposeDrillRelease expected=29991231000000_ComposeDrillRelease" ]] || fail "deep health after step 6: $d"
ok "the release's migration applied; troubleshooting fix verified: deep health ok, migration ok"
preserved "step 6"

verify_health() { # tag: the runbook's "Health check verification", as written
  local tag="$1"
  op "$(cat <<'EOF'
curl -sf $BASE/v1/version | python3 -c "import sys,json; d=json.load(sys.stdin); print(d['app_version'])"
EOF
)"
  [ "$(tail -n1 "$DRILL_DIR/out")" = "$tag" ] || fail "/v1/version prints '$(tail -n1 "$DRILL_DIR/out")', the tag is $tag"
  ok "/v1/version app_version = $tag (the tag deployed)"
  op 'curl -sf $BASE/v1/health | python3 -m json.tool'
  grep -q '"status": "ok"' "$DRILL_DIR/out" || fail "/v1/health is not ok"
  deep_until "200 ok " >/dev/null
  op 'curl -sf $BASE/v1/health/deep -H "Authorization: Bearer $KEY" | python3 -m json.tool'
  python3 -c "
import json,sys; d=json.load(open('$DRILL_DIR/out')); c=d['checks']
bad={k: v['status'] + ' ' + str(v['error']) for k, v in c.items() if v['status'] not in ('ok', 'not_configured')}
assert d['status']=='ok' and not bad, (d['status'], bad)
assert c['migration']['current_revision']==c['migration']['expected_revision']" || fail "deep health is not ok"
  op 'curl -sf $BASE/v1/health/ready | python3 -m json.tool'
  ok "health ok; deep health ok (storage ok, migration ok); ready 200"
}
step "Health check verification through Caddy ($BASE), still in maintenance"
verify_health "$IMAGE_TAG"

step "Step 7: remove maintenance mode"
op "sed -i '/ENGRAMIA_MAINTENANCE/d' .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$IMAGE_TAG"
code="$(status_of -H "Authorization: Bearer $KEY" "$BASE/v1/metrics")"
[ "$code" = 200 ] || fail "GET /v1/metrics answered $code after maintenance"
ok "troubleshooting 'API returns 503 for all endpoints' fixed: GET /v1/metrics 200 again"
preserved "step 7" export

step "Step 8: prune old images"
op "docker image prune -f"
preserved "step 8" export

# ---------------------------------------------------------------------------------------------
# Rollback procedure, steps 1-7: IMAGE_TAG -> PREV_TAG
# ---------------------------------------------------------------------------------------------
step "Rollback: ssh deploy@<host>; cd /opt/engramia (a new shell: IMAGE_TAG is not exported any more)"
unset IMAGE_TAG PREV_TAG
op "cd $DEPLOY_PATH"

step "Rollback step 1: enter maintenance mode"
op "echo \"ENGRAMIA_MAINTENANCE=true\" >> .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$IMAGE_TAG_VALUE"
ok "the recreated container runs $IMAGE_TAG_VALUE: step 5 pinned IMAGE_TAG in .env, so a new shell keeps the release"
maintenance_checks "rollback step 1"
preserved "rollback step 1"

step "Rollback step 2: database snapshot"
op "$(cat <<'EOF'
docker compose -f docker-compose.prod.yml exec -T pgvector \
  pg_dump -U engramia engramia -Fc > pre_rollback_$(date +%Y%m%d%H%M).dump
EOF
)"
dump="$(ls -t pre_rollback_*.dump | head -n1)"
listing="$(pg_restore -l "$dump")"
grep -q ' TABLE DATA public memory_data ' <<< "$listing" || fail "$dump has no memory_data rows"
grep -q ' TABLE DATA public compose_drill_release ' <<< "$listing" || fail "$dump lacks the release's table"
ok "$dump: $(stat -c %s "$dump") bytes; pg_restore -l lists $(grep -c ' TABLE DATA ' <<< "$listing") TABLE DATA entries incl. memory_data"
preserved "rollback step 2"

step "Rollback step 3: the previous version and its newest migration"
op "export PREV_TAG=$PREV_TAG_VALUE"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db history"
head -n1 "$DRILL_DIR/out" | grep -q '^29991231000000_ComposeDrillRelease' || fail "db history does not start with the release's migration"
preserved "rollback step 3"

step "Rollback step 4: downgrade the migration the bad version introduced"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db downgrade -1"
grep -q "Reverted 29991231000000_ComposeDrillRelease" "$DRILL_DIR/out" || fail "downgrade -1 did not revert the release's migration"
[ "$(psql_count "SELECT count(*) FROM pg_tables WHERE tablename = 'compose_drill_release'")" = 0 ] || fail "compose_drill_release still exists"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate $PREV_HEAD"
ok "reverted: compose_drill_release dropped; ./migrate $PREV_HEAD has nothing left to do"
preserved "rollback step 4"

step "Rollback step 5: run the previous image"
op "sed -i \"s/IMAGE_TAG=.*/IMAGE_TAG=\$PREV_TAG/\" .env"
grep -qx "IMAGE_TAG=$PREV_TAG_VALUE" .env || fail ".env does not pin $PREV_TAG_VALUE"
op "IMAGE_TAG=\$PREV_TAG docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
preserved "rollback step 5"

step "Rollback step 6: verify"
op 'curl -sf $BASE/v1/version'
[ "$(python3 -c "import json; print(json.load(open('$DRILL_DIR/out'))['app_version'])")" = "$PREV_TAG_VALUE" ] || fail "/v1/version is not $PREV_TAG_VALUE"
deep_until "200 ok " >/dev/null
op 'curl -sf $BASE/v1/health/deep -H "Authorization: Bearer $KEY" | python3 -m json.tool'
python3 -c "
import json; d=json.load(open('$DRILL_DIR/out')); m=d['checks']['migration']
assert d['status']=='ok' and m['status']=='ok' and m['current_revision']=='$PREV_HEAD', (d['status'], m)" || fail "deep health after the rollback"
ok "the previous image ($PREV_TAG_VALUE) runs; deep health ok with migration ok at $PREV_HEAD"
preserved "rollback step 6"

step "Rollback step 7: exit maintenance mode"
op "sed -i '/ENGRAMIA_MAINTENANCE/d' .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
code="$(status_of -H "Authorization: Bearer $KEY" "$BASE/v1/metrics")"
[ "$code" = 200 ] || fail "GET /v1/metrics answered $code after the rollback"
preserved "rollback step 7" export

# ---------------------------------------------------------------------------------------------
# Database migration inspection and rollback (with the previous image), then backup and restore
# ---------------------------------------------------------------------------------------------
step "Migration commands: current, history"
op "echo \"ENGRAMIA_MAINTENANCE=true\" >> .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current"
[ "$(tail -n1 "$DRILL_DIR/out")" = "$PREV_HEAD (head)" ] || fail "db current: $(tail -n1 "$DRILL_DIR/out")"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db history"
mapfile -t MIGRATIONS < <(sed 's/ .*//' "$DRILL_DIR/out")
[ "${#MIGRATIONS[@]}" -ge 2 ] && [ "${MIGRATIONS[0]}" = "$PREV_HEAD" ] || fail "db history: ${MIGRATIONS[*]}"
PREV2="${MIGRATIONS[1]}"
ok "history (newest first): ${MIGRATIONS[*]}"

step "Migration commands: downgrade -1, forward, to a named migration (CLI and bundle), forward"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db downgrade -1"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current"
[ "$(tail -n1 "$DRILL_DIR/out")" = "$PREV2 (behind head $PREV_HEAD)" ] || fail "db current after downgrade -1: $(tail -n1 "$DRILL_DIR/out")"
d="$(deep_until "200 degraded storage=ok migration=error")"; [[ "$d" == *" migration=error current=$PREV2 expected=$PREV_HEAD" ]] || fail "deep health after downgrade -1: $d"
[ "$(status_of "$BASE/v1/health/ready")" = 503 ] || fail "ready is not 503 behind head"
ok "downgrade -1 reverted $PREV_HEAD; deep health migration error ($PREV2 vs $PREV_HEAD), readiness 503"
preserved "downgrade -1"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
grep -q "Applying migration '$PREV_HEAD'" "$DRILL_DIR/out" || fail "./migrate did not re-apply $PREV_HEAD"
preserved "./migrate (forward)"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db downgrade $PREV2"
grep -q "Reverted $PREV_HEAD" "$DRILL_DIR/out" || fail "db downgrade $PREV2 did not revert $PREV_HEAD"
preserved "db downgrade $PREV2"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate $PREV2"
grep -q "Reverting migration '$PREV_HEAD'" "$DRILL_DIR/out" || fail "./migrate $PREV2 did not revert $PREV_HEAD"
preserved "./migrate $PREV2"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current"
[ "$(tail -n1 "$DRILL_DIR/out")" = "$PREV_HEAD (head)" ] || fail "not back at head"
preserved "back at head"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./efbundle --connection \"Host=pgvector;Database=engramia;Username=engramia;Password=$PG_PASSWORD\""
grep -q "No migrations were applied" "$DRILL_DIR/out" || fail "the bundle by hand"
op_rc "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db downgrade 012"
[ "$rc" = 2 ] || fail "db downgrade 012 exited $rc, the runbook says 2"
msg="$(grep -m1 "^error: " "$DRILL_DIR/out")"; runbook_row_has "$msg"
ok "troubleshooting 'Unknown migration' (upstream's migration conflict row): exit 2, \"$msg\""

step "Migration commands: downgrade base (after a backup), back up, restore the backup"
op "$(cat <<'EOF'
docker compose -f docker-compose.prod.yml exec -T pgvector \
  pg_dump -U engramia engramia -Fc > engramia_$(date +%Y%m%d%H%M).dump
EOF
)"
backup="$(ls -t engramia_*.dump | head -n1)"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db downgrade base"
[ "$(psql_count "SELECT count(*) FROM pg_tables WHERE tablename = 'memory_data'")" = 0 ] || fail "memory_data survived downgrade base"
ok "downgrade base dropped every table, memory_data too (why the runbook says pg_dump first)"
op "docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
[ "$(psql_count "SELECT count(*) FROM memory_data")" = 0 ] || fail "memory_data is not empty after base + migrate"
op "docker compose -f docker-compose.prod.yml exec -T pgvector pg_restore -U engramia -d engramia --clean --if-exists < $backup"
preserved "restore of $backup after downgrade base"
op "sed -i '/ENGRAMIA_MAINTENANCE/d' .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
verify_health "$PREV_TAG_VALUE"
preserved "maintenance off after the migration commands" export

# ---------------------------------------------------------------------------------------------
# Troubleshooting rows, reproduced on the stack (messages read from `docker compose logs`)
# ---------------------------------------------------------------------------------------------
step "Troubleshooting: container exits at start, ENGRAMIA_DATABASE_URL missing"
note "(the drill breaks .env: the URL line commented out)"
sed -i 's/^ENGRAMIA_DATABASE_URL=/#&/' .env
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
for _ in $(seq 1 60); do
  dc logs --tail=100 engramia-api 2>/dev/null | grep -q 'ENGRAMIA_DATABASE_URL is required' && break; sleep 0.5
done
op "docker compose -f docker-compose.prod.yml logs --tail=100 engramia-api"
msg="$(grep -m1 -o 'FATAL: invalid configuration: ENGRAMIA_DATABASE_URL is required[^"]*' "$DRILL_DIR/out" || true)"
[ -n "$msg" ] || fail "no FATAL line about ENGRAMIA_DATABASE_URL in the logs"
runbook_row_has "${msg%.}"
state="$(docker inspect --format '{{.State.Status}} (exit {{.State.ExitCode}}, restarts {{.RestartCount}})' "$(dc ps -a -q engramia-api)")"
ok "engramia-api $state; the log says: $msg"
note "(fix: add ENGRAMIA_DATABASE_URL to .env)"
sed -i 's/^#ENGRAMIA_DATABASE_URL=/ENGRAMIA_DATABASE_URL=/' .env
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
ok "with the variable back the service starts and answers"
preserved "after the missing-URL row"

step "Troubleshooting: deep health storage: error (pgvector stopped), start order, recovery"
note "(the drill stops the database container)"
op "docker compose -f docker-compose.prod.yml stop pgvector"
d="$(deep_until "503 error storage=error")"
storage_error="$(json "d['checks']['storage']['error']")"
[[ "$d" == "503 error storage=error "* ]] || fail "deep health with pgvector stopped: $d"
[ "$(status_of "$BASE/v1/health/ready")" = 503 ] || fail "ready is not 503 with pgvector stopped"
code="$(status_of -H "Authorization: Bearer $KEY" "$BASE/v1/metrics")"
[ "$code" = 503 ] || fail "GET /v1/metrics with the database down answered $code, expected 503"
ok "deep health 503 error, storage error \"$storage_error\"; readiness 503; API calls 503 ($(json "d['detail']"))"
op "docker compose -f docker-compose.prod.yml ps pgvector"
op_rc "docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current"
[ "$rc" = 1 ] || fail "db current with pgvector stopped exited $rc, the runbook says 1"
db_error="$(grep -m1 '^error: ' "$DRILL_DIR/out")"
runbook_row_has "$db_error"
ok "db current exits 1: $db_error"
note "(start order: engramia-api restarted while pgvector is down)"
op "docker compose -f docker-compose.prod.yml restart engramia-api"
wait_api "$PREV_TAG_VALUE"
code="$(status_of -H "Authorization: Bearer $KEY" "$BASE/v1/metrics")"
[ "$code" = 503 ] || fail "GET /v1/metrics with the database down answered $code, expected 503"
op "docker compose -f docker-compose.prod.yml logs --tail=100 engramia-api"
log_msg="An error occurred using the connection to database 'engramia' on server 'tcp://pgvector:5432'."
grep -qF "$log_msg" "$DRILL_DIR/out" || fail "the API's log does not show: $log_msg"
runbook_row_has "$log_msg"
ok "the API starts without its database, logs \"$log_msg\" and answers 503 ($(json "d['detail']"))"
op "docker compose -f docker-compose.prod.yml up -d"
op "docker compose -f docker-compose.prod.yml ps pgvector"
grep -q healthy "$DRILL_DIR/out" || fail "pgvector is not healthy after up -d"
op 'docker compose -f docker-compose.prod.yml exec pgvector psql -U engramia -c "SELECT version();"'
for _ in $(seq 1 60); do d="$(deep)"; [[ "$d" == "200 ok storage=ok "* ]] && break; sleep 0.5; done
[[ "$d" == "200 ok storage=ok "* ]] || fail "deep health after pgvector came back: $d"
ok "pgvector back: deep health ok, storage ok, without touching engramia-api"
preserved "after the storage row" export

step "Troubleshooting: 429 under load, then the documented variables"
# GET /v1/keys: a path no earlier step calls, so its per-IP bucket starts empty (earlier steps' calls to
# other paths in the same minute would shift the first 429).
rate_round() { # requests: sends them to GET /v1/keys through Caddy; prints "<ok count> <first 429 index>"
  local n="$1" i code first=0 okc=0 second
  # Windows are aligned to the clock's minutes (upstream's fixed windows): a burst that crosses a
  # minute boundary is split between two buckets and never reaches the limit, so start it early in one.
  second=$((10#$(date +%S)))
  [ "$second" -le 10 ] || sleep $((61 - second))
  for i in $(seq 1 "$n"); do
    code="$(status_of -H "Authorization: Bearer $KEY" "$BASE/v1/keys")"
    if [ "$code" = 200 ]; then okc=$((okc + 1)); elif [ "$code" = 429 ] && [ "$first" = 0 ]; then first=$i; cp "$DRILL_DIR/last.json" "$DRILL_DIR/429.json"; fi
  done
  printf '%s %s\n' "$okc" "$first"
}
limit="$(sed -n 's/^ENGRAMIA_RATE_LIMIT_DEFAULT=//p' .env)"
read -r okc first < <(rate_round $((limit + 5)))
[ "$first" = $((limit + 1)) ] || fail "with ENGRAMIA_RATE_LIMIT_DEFAULT=$limit the first 429 came at request $first"
detail="$(python3 -c "import json; print(json.load(open('$DRILL_DIR/429.json'))['detail'])")"
runbook_row_has "$detail"
ok "$((limit + 5)) requests in a burst: $okc answered, request $first got 429: $detail"
op "sed -i 's/^ENGRAMIA_RATE_LIMIT_DEFAULT=.*/ENGRAMIA_RATE_LIMIT_DEFAULT=120/' .env"
op "sed -i 's/^ENGRAMIA_RATE_LIMIT_EXPENSIVE=.*/ENGRAMIA_RATE_LIMIT_EXPENSIVE=20/' .env"
op "docker compose -f docker-compose.prod.yml up -d engramia-api"
wait_api "$PREV_TAG_VALUE"
read -r okc first < <(rate_round 125)
[ "$first" = 121 ] || fail "with ENGRAMIA_RATE_LIMIT_DEFAULT=120 the first 429 came at request $first"
ok "ENGRAMIA_RATE_LIMIT_DEFAULT=120: 125 requests, $okc answered, the first 429 at request 121: $(python3 -c "import json; print(json.load(open('$DRILL_DIR/429.json'))['detail'])")"
preserved "after the 429 row"

# ---------------------------------------------------------------------------------------------
step "Summary"
printf '   restart gap (step 5, up -d replacing engramia-api, measured through Caddy): %s requests, %s failed, longest gap %s s, slowest request %s s\n' \
  "$(gap "d['requests']")" "$(gap "d['failed']")" "$(gap "d['longest_gap_s']")" "$(gap "d['slowest_request_s']")"
printf '   rows preserved: checked after %d steps: memory_data %s rows (md5 %s), export %s records (sha256 %s) as before the deploy\n' \
  "$checks_preserved" "${DB_BEFORE% *}" "${DB_BEFORE#* }" "${EXPORT_BEFORE% *}" "${EXPORT_BEFORE#* }"
printf '\ncompose drill: %d checks passed in %d s\n' "$passed" "$((SECONDS - STARTED))"
