#!/usr/bin/env bash
# Runbook drill: runs docs/runbook.md on this machine, without Docker, and prints every step it verified.
#
# The "image" is a local `dotnet publish` laid out like /app in deploy/Dockerfile (Engramia.Api,
# efbundle from build/bundle.sh, ./migrate). DEPLOY_PATH is a scratch folder holding the real
# deploy/docker-compose.prod.yml, deploy/Caddyfile and a .env made from deploy/.env.production.example.
# The runbook's command lines run as written: `docker` is a shell function that carries out the
# `docker compose -f docker-compose.prod.yml …` subset the runbook uses against local processes:
#   engramia-api -> the published binary on 127.0.0.1:8104 with the environment of .env
#   caddy        -> Debian's caddy with deploy/Caddyfile on https://localhost:8444 (http 8084)
#   pgvector     -> the PostgreSQL of build/dev-db.sh (127.0.0.1:5433), database engramia_drill
#
# Usage: build/runbook-drill.sh            strict: any step that fails or cannot run fails the drill (exit 1)
#        DRILL_SKIP_BUILD=1 build/…        reuse the publish and bundle already in $DRILL_DIR/app
# Ends with "runbook drill: N steps verified" and exit 0. Processes it starts are stopped on exit.
# Needs: dotnet SDK, python3, curl, ss; installs caddy and prometheus (promtool) from Debian
# through build/dev-tools.sh and PostgreSQL + pgvector through build/dev-db.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

DRILL_DIR="${DRILL_DIR:-/var/tmp/engramia-drill}"
APP="$DRILL_DIR/app"                      # plays /app inside the image
DEPLOY_PATH="$DRILL_DIR/opt-engramia"     # plays /opt/engramia on the VM
API_PORT=8104
CADDY_HTTPS_PORT=8444
CADDY_HTTP_PORT=8084
PG_PORT="${ENGRAMIA_PG_PORT:-5433}"
DRILL_DB=engramia_drill
STARTED=$SECONDS

passed=0
step()    { printf '\n== %s\n' "$*"; }
ok()      { passed=$((passed + 1)); printf '   verified: %s\n' "$*"; }
note()    { printf '   %s\n' "$*"; }
fail()    { printf '   FAILED: %s\n' "$*" >&2; exit 1; }

api_pid=""; caddy_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null || true
  [ -n "$caddy_pid" ] && kill "$caddy_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# The image and the database
# ---------------------------------------------------------------------------------------------
VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)"
COMMIT="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"

step "Build the image contents (publish + migrations bundle), version $VERSION, commit $COMMIT"
mkdir -p "$DRILL_DIR"
if [ "${DRILL_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$APP/Engramia.Api" ] || [ ! -x "$APP/efbundle" ]; then
  dotnet publish src/Engramia.Api/Engramia.Api.csproj -c Release -r linux-x64 --self-contained false \
    -o "$APP" -p:Version="$VERSION" -p:GitCommit="$COMMIT" -p:BuildTime="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    > "$DRILL_DIR/publish.log" 2>&1 || { tail -n 30 "$DRILL_DIR/publish.log"; fail "dotnet publish"; }
  ./build/bundle.sh "$APP/efbundle" > "$DRILL_DIR/bundle.log" 2>&1 || { tail -n 30 "$DRILL_DIR/bundle.log"; fail "build/bundle.sh"; }
fi
install -m 0755 deploy/migrate "$APP/migrate"
[ -x "$APP/Engramia.Api" ] && [ -x "$APP/efbundle" ] && [ -x "$APP/migrate" ] || fail "image layout incomplete"
ok "$APP holds Engramia.Api, efbundle and migrate as /app does in deploy/Dockerfile"

step "Tools: caddy and promtool from Debian (build/dev-tools.sh)"
./build/dev-tools.sh caddy prometheus >/dev/null
ok "$(caddy version | cut -d' ' -f1) and $(promtool --version 2>&1 | head -n1)"
: > "$DRILL_DIR/api.log"; : > "$DRILL_DIR/caddy.log"

step "PostgreSQL with pgvector (build/dev-db.sh), fresh database $DRILL_DB"
./build/dev-db.sh >/dev/null
pg() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
pg -d postgres -c "DROP DATABASE IF EXISTS $DRILL_DB WITH (FORCE)" -c "CREATE DATABASE $DRILL_DB" >/dev/null
ok "database $DRILL_DB created empty on 127.0.0.1:$PG_PORT"

step "DEPLOY_PATH with docker-compose.prod.yml, Caddyfile and .env from .env.production.example"
rm -rf "$DEPLOY_PATH"; mkdir -p "$DEPLOY_PATH" "$DRILL_DIR/data"
cp deploy/docker-compose.prod.yml deploy/Caddyfile "$DEPLOY_PATH/"
BOOTSTRAP_TOKEN="drill-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
METRICS_TOKEN="metrics-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OPERATOR_TOKEN="operator-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
sed -e "s|^ENGRAMIA_DATABASE_URL=.*|ENGRAMIA_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DRILL_DB|" \
    -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=drill|" \
    -e "s|^DOMAIN_API=.*|DOMAIN_API=localhost|" \
    -e "s|^ENGRAMIA_BOOTSTRAP_TOKEN=.*|ENGRAMIA_BOOTSTRAP_TOKEN=$BOOTSTRAP_TOKEN|" \
    -e "s|^ENGRAMIA_METRICS_TOKEN=.*|ENGRAMIA_METRICS_TOKEN=$METRICS_TOKEN|" \
    -e "s|^ENGRAMIA_OPERATOR_TOKEN=.*|ENGRAMIA_OPERATOR_TOKEN=$OPERATOR_TOKEN|" \
    -e "s|^ENGRAMIA_JSON_LOGS=.*|ENGRAMIA_JSON_LOGS=false|" \
    -e "s|^GRAFANA_ADMIN_PASSWORD=.*|GRAFANA_ADMIN_PASSWORD=drill|" \
    deploy/.env.production.example > "$DEPLOY_PATH/.env"
grep -q '^[^#].*CHANGE_ME' "$DEPLOY_PATH/.env" && fail ".env still has CHANGE_ME placeholders: $(grep -v "^#" "$DEPLOY_PATH/.env" | grep CHANGE_ME)"
ok ".env has no CHANGE_ME left; ENGRAMIA_STORAGE=$(sed -n 's/^ENGRAMIA_STORAGE=//p' "$DEPLOY_PATH/.env"), ENGRAMIA_AUTH_MODE=$(sed -n 's/^ENGRAMIA_AUTH_MODE=//p' "$DEPLOY_PATH/.env")"

# ---------------------------------------------------------------------------------------------
# `docker compose -f docker-compose.prod.yml …` carried out by local processes
# ---------------------------------------------------------------------------------------------
# The environment compose gives engramia-api: .env (env_file; a later line wins), then the
# service's fixed `environment:` (address and data path, here on loopback for the drill).
dotenv_exports() {
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"
    printf '%s\n' "$key"
  done < "$DEPLOY_PATH/.env"
}
api_env() { # call inside a subshell: the container's environment and working directory
  while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(ENGRAMIA_|STRIPE_|OPENAI_|POSTGRES_|ASPNETCORE_)' || true)
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    export "${line%%=*}=${line#*=}"
  done < "$DEPLOY_PATH/.env"
  # docker-compose.prod.yml's fixed `environment:`, on loopback: Caddy reaches the API from 127.0.0.1 here.
  export ENGRAMIA_HOST=127.0.0.1 ENGRAMIA_PORT="$API_PORT" ENGRAMIA_DATA_PATH="$DRILL_DIR/data" ENGRAMIA_TRUSTED_PROXIES=127.0.0.1
  cd "$APP"
}
run_in_api_container() { ( api_env; exec "$@" ); }
# Commands whose output is tested are read whole first: with pipefail, `cmd | grep -q` fails when
# grep stops reading early and cmd dies of SIGPIPE.
port_free() { [ -z "$(ss -ltnH "( sport = :$1 )")" ]; }
api_environ() { tr '\0' '\n' < "/proc/$api_pid/environ"; }
image_tag() { local t="${IMAGE_TAG:-}"; [ -n "$t" ] || t="$(sed -n 's/^IMAGE_TAG=//p' "$DEPLOY_PATH/.env" | tail -n1)"; printf '%s' "$t"; }
check_image() {
  local tag; tag="$(image_tag)"
  [ -n "$tag" ] || fail "IMAGE_TAG is required (compose: set IMAGE_TAG)"
  [ "$tag" = "$VERSION" ] || fail "image ghcr.io/engramia/engramia:$tag is not available: the drill has one build, $VERSION"
}
wait_http() { # url seconds [curl options…]
  local url="$1" secs="$2"; shift 2
  for _ in $(seq 1 "$((secs * 4))"); do curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0; sleep 0.25; done
  return 1
}
api_up() {
  check_image
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; api_pid=""; fi
  port_free "$API_PORT" || fail "port $API_PORT is taken by another process: $(ss -ltnpH "( sport = :$API_PORT )")"
  # One subshell that execs: $! is the Engramia.Api process itself.
  ( api_env; exec ./Engramia.Api ) >> "$DRILL_DIR/api.log" 2>&1 &
  api_pid=$!
  # The container HEALTHCHECK: curl -fsS http://127.0.0.1:8000/v1/health
  wait_http "http://127.0.0.1:$API_PORT/v1/health" 90 || { tail -n 30 "$DRILL_DIR/api.log"; fail "engramia-api did not turn healthy"; }
  kill -0 "$api_pid" 2>/dev/null || { tail -n 30 "$DRILL_DIR/api.log"; fail "engramia-api exited; something else answered on $API_PORT"; }
  grep -q "pid=$api_pid," <<< "$(ss -ltnpH "( sport = :$API_PORT )")" || fail "port $API_PORT is not served by the process the drill started ($api_pid)"
  note "engramia-api (re)created: pid $api_pid, healthy on 127.0.0.1:$API_PORT"
}
caddy_up() {
  [ -n "$caddy_pid" ] && kill -0 "$caddy_pid" 2>/dev/null && { note "caddy already running"; return 0; }
  port_free "$CADDY_HTTPS_PORT" && port_free "$CADDY_HTTP_PORT" || fail "port $CADDY_HTTPS_PORT or $CADDY_HTTP_PORT is taken by another process"
  (
    export CADDY_EMAIL="$(sed -n 's/^CADDY_EMAIL=//p' "$DEPLOY_PATH/.env")" DOMAIN_API="$(sed -n 's/^DOMAIN_API=//p' "$DEPLOY_PATH/.env")"
    export UPSTREAM_API="127.0.0.1:$API_PORT" CADDY_BIND=127.0.0.1 CADDY_HTTP_PORT="$CADDY_HTTP_PORT" CADDY_HTTPS_PORT="$CADDY_HTTPS_PORT"
    export XDG_DATA_HOME="$DRILL_DIR/caddy-data" XDG_CONFIG_HOME="$DRILL_DIR/caddy-config"
    exec caddy run --config "$DEPLOY_PATH/Caddyfile" --adapter caddyfile
  ) >> "$DRILL_DIR/caddy.log" 2>&1 &
  caddy_pid=$!
  local ca="$DRILL_DIR/caddy-data/caddy/pki/authorities/local/root.crt"
  for _ in $(seq 1 80); do [ -f "$ca" ] && break; sleep 0.25; done
  [ -f "$ca" ] || { tail -n 20 "$DRILL_DIR/caddy.log"; fail "caddy did not create its local CA"; }
  export CURL_CA_BUNDLE="$ca"   # the runbook's bare `curl -sf $BASE/…` then verifies TLS for real
  wait_http "https://localhost:$CADDY_HTTPS_PORT/v1/health" 30 || { tail -n 20 "$DRILL_DIR/caddy.log"; fail "caddy does not proxy /v1/health"; }
  kill -0 "$caddy_pid" 2>/dev/null || fail "caddy exited; something else answered on $CADDY_HTTPS_PORT"
  note "caddy running: pid $caddy_pid, https://localhost:$CADDY_HTTPS_PORT (TLS from its local CA), http :$CADDY_HTTP_PORT"
}
pgvector_exec() { # pg_dump/psql as `-U engramia`, database engramia -> the drill's server and database
  local args=() a
  for a in "$@"; do
    case "$a" in engramia) args+=("$DRILL_DB") ;; *) args+=("$a") ;; esac
  done
  local cmd="${args[0]}"; args=("${args[@]:1}")
  local i; for i in "${!args[@]}"; do [ "${args[$i]}" = "$DRILL_DB" ] && [ "$i" -gt 0 ] && [ "${args[$((i-1))]}" = -U ] && args[$i]=postgres; done
  PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGDATABASE="$DRILL_DB" "$cmd" "${args[@]}"
}
docker() {
  case "$1" in
    login) cat >/dev/null; note "docker login: skipped (no registry here; the image is the local publish)"; return 0 ;;
    image) note "docker image prune: nothing to prune (no Docker engine)"; return 0 ;;
    compose) shift ;;
    *) fail "the drill does not emulate: docker $*" ;;
  esac
  [ "$1" = -f ] && [ "$2" = docker-compose.prod.yml ] || fail "unexpected compose file in: docker compose $*"
  [ -f "$PWD/docker-compose.prod.yml" ] || fail "docker compose must run in DEPLOY_PATH"
  shift 2
  local sub="$1"; shift
  case "$sub" in
    up)
      [ "${1:-}" = -d ] && shift
      local svc; for svc in "$@"; do
        case "$svc" in engramia-api) api_up ;; caddy) caddy_up ;; pgvector) ;; *) fail "unknown service $svc" ;; esac
      done ;;
    pull) check_image; note "pull: ghcr.io/engramia/engramia:$(image_tag) is the local build" ;;
    exec)
      [ "${1:-}" = -T ] && shift
      local svc="$1"; shift
      case "$svc" in
        engramia-api) run_in_api_container "$@" ;;
        pgvector) pgvector_exec "$@" ;;
        *) fail "unknown service $svc" ;;
      esac ;;
    ps) local svc="${1:-}"; [ "$svc" = pgvector ] && { pg_isready -h 127.0.0.1 -p "$PG_PORT" -d "$DRILL_DB"; return; }; kill -0 "$api_pid" && echo "engramia-api running" ;;
    logs) tail -n 100 "$DRILL_DIR/api.log" ;;
    *) fail "the drill does not emulate: docker compose $sub" ;;
  esac
}

# HTTP helpers: status code and body of one request through Caddy.
http() { # method path [json body] [bearer]
  local method="$1" path="$2" body="${3:-}" key="${4:-}"
  local args=(-s -o "$DRILL_DIR/last.json" -w '%{http_code}' -X "$method")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  [ -n "$key" ] && args+=(-H "Authorization: Bearer $key")
  curl "${args[@]}" "$BASE$path"
}
json() { python3 -c "import sys,json; d=json.load(open('$DRILL_DIR/last.json')); print($1)"; }
db_patterns() { pg -d "$DRILL_DB" -c "SELECT count(*) FROM memory_data"; }
# GET /v1/export: "<count> <sha256 of the sorted pattern keys>" (what an operator would diff).
export_fingerprint() {
  local code; code="$(http GET /v1/export "" "$KEY")"
  [ "$code" = 200 ] || fail "GET /v1/export answered $code: $(cat "$DRILL_DIR/last.json")"
  python3 -c "
import json,hashlib
d=json.load(open('$DRILL_DIR/last.json'))
keys=sorted(r['key'] for r in d['records'])
assert d['count']==len(keys)
print(len(keys), hashlib.sha256('\n'.join(keys).encode()).hexdigest()[:16])"
}
# /metrics as Prometheus scrapes it (engramia-api:8000 with the bearer token, never through Caddy).
scrape() { curl -sf -H "Authorization: Bearer $METRICS_TOKEN" "http://127.0.0.1:$API_PORT/metrics"; }
series_value() { # exposition name label=value -> value of the first sample of name carrying that label
  python3 -c "
import re,sys
for line in open(sys.argv[1]):
    m=re.match(r'^'+re.escape(sys.argv[2])+r'\{([^}]*)\} (\S+)', line)
    if m and sys.argv[3] in m.group(1).replace('\"',''): print(m.group(2)); break" "$@"
}
# One learn call; under maintenance it must be refused (and store nothing).
learn_code() { http POST /v1/learn "{\"task\":\"$1\",\"code\":\"print(1)\",\"eval_score\":7.5}" "$KEY"; }
wait_maintenance() { # on|off: poll GET /v1/metrics for up to 15 s (replicas read the switch every 5 s)
  local want="$1" expected=200 code=""
  [ "$want" = on ] && expected=503
  for _ in $(seq 1 30); do
    code="$(http GET /v1/metrics "" "$KEY")"; [ "$code" = "$expected" ] && return 0
    sleep 0.5
  done
  fail "maintenance did not turn $want within 15 s: GET /v1/metrics answers $code"
}

BASE="https://localhost:$CADDY_HTTPS_PORT"
cd "$DEPLOY_PATH"

# ---------------------------------------------------------------------------------------------
# First installation (runbook: Prerequisites, Database, First owner key)
# ---------------------------------------------------------------------------------------------
step "First start: IMAGE_TAG=$VERSION docker compose -f docker-compose.prod.yml up -d engramia-api caddy"
IMAGE_TAG=$VERSION docker compose -f docker-compose.prod.yml up -d engramia-api caddy
export IMAGE_TAG="$VERSION"
ok "engramia-api healthy (container HEALTHCHECK) and caddy proxying over TLS"
headers="$(curl -sfD - -o /dev/null "$BASE/v1/version" | tr -d '\r')"
grep -qi '^strict-transport-security: max-age=63072000; includeSubDomains; preload' <<< "$headers" || fail "no HSTS from Caddy: $headers"
grep -qi '^x-content-type-options: nosniff' <<< "$headers" || fail "no X-Content-Type-Options: $headers"
grep -qi '^server:' <<< "$headers" && fail "Caddy leaks a Server header: $headers"
ok "Caddy adds HSTS (preload) and nosniff, strips Server"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/metrics")" = 404 ] || fail "/metrics is reachable through Caddy"
ok "/metrics is not published through Caddy (404)"
redirect="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$CADDY_HTTP_PORT/v1/version")"
[[ "$redirect" == 30[18]\ https://localhost* ]] || fail "http :$CADDY_HTTP_PORT does not redirect to https: $redirect"
ok "http://localhost:$CADDY_HTTP_PORT redirects to https ($redirect)"
if grep -vq '^127\.0\.0\.1:' <<< "$(ss -ltnH "( sport = :$CADDY_HTTPS_PORT or sport = :$CADDY_HTTP_PORT or sport = :$API_PORT )" | awk '{print $4}')"; then
  fail "a drill listener is not on loopback: $(ss -ltnH "( sport = :$CADDY_HTTPS_PORT or sport = :$CADDY_HTTP_PORT or sport = :$API_PORT )")"
fi
ok "API and Caddy listen on 127.0.0.1 only"
grep -qx "ENGRAMIA_TRUSTED_PROXIES=127.0.0.1" <<< "$(api_environ)" || fail "engramia-api does not trust Caddy's address"
ok "engramia-api trusts X-Forwarded-For only from Caddy (ENGRAMIA_TRUSTED_PROXIES=127.0.0.1 here, 172.30.0.10 in compose)"

step "Readiness before the first migration: curl -sf \$BASE/v1/health/ready fails"
code="$(curl -s -o "$DRILL_DIR/ready.json" -w '%{http_code}' $BASE/v1/health/ready)"
[ "$code" = 503 ] || fail "/v1/health/ready answered $code on an empty database"
ok "/v1/health/ready 503 on an empty database: $(python3 -c "import json; c=json.load(open('$DRILL_DIR/ready.json'))['checks']['migration']; print('migration', c['status'], '-', c['error'])")"

step "First migration: docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate > "$DRILL_DIR/migrate.log" 2>&1 || { tail -n 20 "$DRILL_DIR/migrate.log"; fail "./migrate"; }
current="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current)"
[[ "$current" == *"(head)" ]] || fail "db current after ./migrate: $current"
ok "efbundle applied $(grep -c "^Applying migration" "$DRILL_DIR/migrate.log") migrations; db current: $current"
mapfile -t MIGRATIONS < <(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db history | sed 's/ (.*//')
[ "${#MIGRATIONS[@]}" -ge 2 ] || fail "the build has ${#MIGRATIONS[@]} migration(s); rollback needs at least two"
HEAD="${MIGRATIONS[0]}"; PREV="${MIGRATIONS[1]}"
ok "db history (newest first): ${MIGRATIONS[*]}"

step "First owner key: curl -sf -X POST \$BASE/v1/keys/bootstrap … (runbook, exactly)"
curl -sf -X POST $BASE/v1/keys/bootstrap \
  -H 'Content-Type: application/json' \
  -d "{\"bootstrap_token\": \"$(grep '^ENGRAMIA_BOOTSTRAP_TOKEN=' .env | cut -d= -f2-)\"}" | python3 -m json.tool > "$DRILL_DIR/bootstrap.json" \
  || fail "POST /v1/keys/bootstrap failed"
KEY="$(python3 -c "import json; print(json.load(open('$DRILL_DIR/bootstrap.json'))['key'])")"
[[ "$KEY" == engramia_sk_* ]] || fail "bootstrap returned no engramia_sk_ key: $(cat "$DRILL_DIR/bootstrap.json")"
ok "201, owner key ${KEY:0:20}… (role $(python3 -c "import json; print(json.load(open('$DRILL_DIR/bootstrap.json')).get('role'))"))"
code="$(http POST /v1/keys/bootstrap "{\"bootstrap_token\":\"$BOOTSTRAP_TOKEN\"}")"
[ "$code" = 409 ] || fail "second bootstrap answered $code"
ok "a second bootstrap answers 409: $(json "d['detail']")"
sed -i 's/^ENGRAMIA_BOOTSTRAP_TOKEN=.*/ENGRAMIA_BOOTSTRAP_TOKEN=/' .env
docker compose -f docker-compose.prod.yml up -d engramia-api
code="$(http POST /v1/keys/bootstrap "{\"bootstrap_token\":\"$BOOTSTRAP_TOKEN\"}")"
[ "$code" = 503 ] || fail "bootstrap with the token emptied answered $code"
ok "token emptied in .env and engramia-api recreated: bootstrap answers 503 ($(json "d['detail']"))"

step "Learn data: POST /v1/learn x3, recall, export"
TASKS=("Drill task 1: parse a CSV file and compute column statistics"
       "Drill task 2: resize every image in a folder to thumbnails"
       "Drill task 3: retry failed HTTP requests with exponential backoff")
for i in 0 1 2; do
  code="$(http POST /v1/learn "{\"task\":\"${TASKS[$i]}\",\"code\":\"print('drill $i')\",\"eval_score\":8.$i}" "$KEY")"
  [ "$code" = 200 ] && [ "$(json "d['stored']")" = True ] || fail "learn $i answered $code: $(cat "$DRILL_DIR/last.json")"
done
PATTERNS_BEFORE="$(db_patterns)"
[ "$PATTERNS_BEFORE" -ge 3 ] || fail "memory_data holds $PATTERNS_BEFORE rows after 3 learns"
EXPORT_BEFORE="$(export_fingerprint)"
ok "3 patterns learned; memory_data holds $PATTERNS_BEFORE rows; GET /v1/export: ${EXPORT_BEFORE% *} records, keys sha256 ${EXPORT_BEFORE#* }"

# ---------------------------------------------------------------------------------------------
# Standard deployment procedure (runbook steps 2-8)
# ---------------------------------------------------------------------------------------------
step "Step 2: IMAGE_TAG=$VERSION (not exported)"
IMAGE_TAG=$VERSION
ok "IMAGE_TAG=$IMAGE_TAG"

step "Step 3: maintenance on: echo \"ENGRAMIA_MAINTENANCE=true\" >> .env; docker compose … up -d engramia-api"
echo "ENGRAMIA_MAINTENANCE=true" >> .env
docker compose -f docker-compose.prod.yml up -d engramia-api
grep -qx 'ENGRAMIA_MAINTENANCE=true' <<< "$(api_environ)" || fail "the recreated engramia-api does not see ENGRAMIA_MAINTENANCE=true"
code="$(learn_code "Drill task refused under maintenance")"
[ "$code" = 503 ] && [ "$(json "d.get('error_code')")" = SERVICE_UNAVAILABLE ] || fail "learn under maintenance answered $code: $(cat "$DRILL_DIR/last.json")"
ok "POST /v1/learn answers 503 SERVICE_UNAVAILABLE: $(json "d['detail']")"
for path in /v1/version /v1/health /v1/health/deep /v1/health/ready; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")"; [ "$code" = 200 ] || fail "$path answered $code under maintenance"
done
ok "/v1/version, /v1/health, /v1/health/deep and /v1/health/ready still answer 200"
scrape > "$DRILL_DIR/metrics.txt" || fail "scrape /metrics with the bearer token"
[ "$(series_value "$DRILL_DIR/metrics.txt" engramia_maintenance source=environment)" = 1 ] || fail "engramia_maintenance{source=environment} is not 1: $(grep '^engramia_maintenance' "$DRILL_DIR/metrics.txt")"
ok "/metrics (bearer token): engramia_maintenance{source=\"environment\"} 1 (what EngramiaMaintenanceLeftOn watches)"

step "Step 4: docker login + docker compose … pull engramia-api"
echo "drill-token" | docker login ghcr.io -u drill --password-stdin
IMAGE_TAG=$IMAGE_TAG docker compose -f docker-compose.prod.yml pull engramia-api
ok "image tag $IMAGE_TAG resolves to the build under test"

step "Step 5: IMAGE_TAG=\$IMAGE_TAG docker compose … up -d engramia-api"
sed -i "s/^IMAGE_TAG=.*/IMAGE_TAG=$IMAGE_TAG/" .env
IMAGE_TAG=$IMAGE_TAG docker compose -f docker-compose.prod.yml up -d engramia-api
grep -qx "IMAGE_TAG=$VERSION" .env || fail ".env does not pin IMAGE_TAG=$VERSION"
ok "IMAGE_TAG pinned in .env; engramia-api recreated and healthy"

step "Step 6: IMAGE_TAG=\$IMAGE_TAG docker compose … exec -T engramia-api ./migrate"
IMAGE_TAG=$IMAGE_TAG docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate > "$DRILL_DIR/migrate.log" 2>&1 || { tail -n 20 "$DRILL_DIR/migrate.log"; fail "./migrate"; }
grep -q "^Done\.$" "$DRILL_DIR/migrate.log" || fail "unexpected bundle output: $(tail -n 3 "$DRILL_DIR/migrate.log")"
ok "bundle at head: $(grep -m1 -o 'No migrations were applied.*' "$DRILL_DIR/migrate.log")"

# The runbook's "Health check verification", exactly (BASE is set above, as the runbook sets it).
verify_health() { # label ok|behind
  local label="$1" want="$2" v code
  v="$(curl -sf $BASE/v1/version | python3 -c "import sys,json; d=json.load(sys.stdin); print(d['app_version'])")" \
    || fail "$label: curl -sf \$BASE/v1/version failed"
  [ "$v" = "$IMAGE_TAG" ] || fail "$label: /v1/version app_version '$v' != IMAGE_TAG '$IMAGE_TAG'"
  ok "$label: curl -sf \$BASE/v1/version | python3 -c \"…print(d['app_version'])\" prints $v (= \$IMAGE_TAG)"
  curl -sf $BASE/v1/health | python3 -m json.tool > "$DRILL_DIR/health.json" || fail "$label: curl -sf \$BASE/v1/health | python3 -m json.tool"
  [ "$(python3 -c "import json; print(json.load(open('$DRILL_DIR/health.json'))['status'])")" = ok ] || fail "$label: /v1/health status"
  ok "$label: curl -sf \$BASE/v1/health | python3 -m json.tool -> status ok"
  local deep_rc=0 ready_rc=0
  # A 503 makes curl -sf exit 22 with no body, so json.tool has nothing to parse: only the status counts.
  curl -sf $BASE/v1/health/deep -H "Authorization: Bearer $KEY" | python3 -m json.tool > "$DRILL_DIR/deep.json" 2>/dev/null || deep_rc=$?
  curl -sf $BASE/v1/health/ready | python3 -m json.tool > "$DRILL_DIR/ready.json" 2>/dev/null || ready_rc=$?
  code="$(curl -s -o "$DRILL_DIR/deep-raw.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" $BASE/v1/health/deep)"
  local status mig
  status="$(python3 -c "import json; print(json.load(open('$DRILL_DIR/deep-raw.json'))['status'])")"
  mig="$(python3 -c "import json; m=json.load(open('$DRILL_DIR/deep-raw.json'))['checks']['migration']; print(m['status'], m['current_revision'], m['expected_revision'])")"
  if [ "$want" = ok ]; then
    [ "$deep_rc" = 0 ] && [ "$code" = 200 ] && [ "$status" = ok ] || fail "$label: deep health $code $status: $(cat "$DRILL_DIR/deep-raw.json")"
    [ "$mig" = "ok $HEAD $HEAD" ] || fail "$label: migration probe: $mig"
    ok "$label: curl -sf \$BASE/v1/health/deep -H \"Authorization: Bearer \$KEY\" | python3 -m json.tool -> 200, status ok, migration ok ($HEAD = $HEAD)"
    [ "$ready_rc" = 0 ] || fail "$label: curl -sf \$BASE/v1/health/ready failed"
    ok "$label: curl -sf \$BASE/v1/health/ready | python3 -m json.tool -> 200, ready"
  else
    [ "$code" = 200 ] && [ "$status" = degraded ] || fail "$label: deep health $code $status, expected 200 degraded: $(cat "$DRILL_DIR/deep-raw.json")"
    [ "$mig" = "error $PREV $HEAD" ] || fail "$label: migration probe: $mig"
    ok "$label: deep health 200 degraded, migration error: current $PREV, expected $HEAD"
    [ "$ready_rc" != 0 ] || fail "$label: /v1/health/ready succeeds with a pending migration"
    ok "$label: curl -sf \$BASE/v1/health/ready fails (503): the schema is behind the build"
  fi
}
step "Health check verification (runbook, exactly), still in maintenance"
verify_health "after deploy" ok

# ---------------------------------------------------------------------------------------------
# Rollback procedure and database migration rollback
# ---------------------------------------------------------------------------------------------
step "Rollback step 2: docker compose … exec -T pgvector pg_dump -U engramia engramia -Fc > pre_rollback_….dump"
docker compose -f docker-compose.prod.yml exec -T pgvector \
  pg_dump -U engramia engramia -Fc > pre_rollback_$(date +%Y%m%d%H%M).dump
dump="$(ls -t pre_rollback_*.dump | head -n1)"
listing="$(pg_restore -l "$dump")"
tables="$(grep -c ' TABLE DATA ' <<< "$listing" || true)"
[ "$tables" -gt 0 ] || fail "$dump lists no table data"
grep -q ' TABLE DATA public memory_data ' <<< "$listing" || fail "$dump has no memory_data rows"
ok "$dump: $(stat -c %s "$dump") bytes, $tables TABLE DATA entries including memory_data (pg_restore -l)"

step "Migration inspection: db current / db history / the bundle by hand"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current | sed 's/^/   | /'
docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db history | sed 's/^/   | /'
ok "db current and db history run in the container"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./efbundle --connection "Host=127.0.0.1;Port=$PG_PORT;Database=$DRILL_DB;Username=postgres" > "$DRILL_DIR/migrate.log" 2>&1 \
  || { tail -n 20 "$DRILL_DIR/migrate.log"; fail "./efbundle --connection"; }
ok "./efbundle --connection \"<Npgsql connection string>\": $(grep -m1 -o 'No migrations were applied.*' "$DRILL_DIR/migrate.log")"

step "Rollback step 4: docker compose … exec -T engramia-api ./Engramia.Api db downgrade -1"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db downgrade -1 | sed 's/^/   | /'
current="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current)"
[ "$current" = "$PREV (behind head $HEAD)" ] || fail "db current after downgrade -1: $current"
ok "db current: $current"
[ "$(db_patterns)" = "$PATTERNS_BEFORE" ] || fail "memory_data lost rows in the downgrade: $(db_patterns)"
ok "memory_data still holds $PATTERNS_BEFORE rows at $PREV"
verify_health "after downgrade -1" behind

step "Roll forward with the bundle: docker compose … exec -T engramia-api ./migrate"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate > "$DRILL_DIR/migrate.log" 2>&1 || { tail -n 20 "$DRILL_DIR/migrate.log"; fail "./migrate"; }
grep -q "Applying migration '$HEAD'" "$DRILL_DIR/migrate.log" || fail "./migrate did not apply $HEAD: $(tail -n 3 "$DRILL_DIR/migrate.log")"
current="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current)"
[ "$current" = "$HEAD (head)" ] || fail "db current after ./migrate: $current"
ok "./migrate applied $HEAD; db current: $current"
verify_health "after roll forward" ok

step "Rollback to a named migration with the bundle: ./migrate $PREV, then ./Engramia.Api db upgrade"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./migrate "$PREV" > "$DRILL_DIR/migrate.log" 2>&1 || { tail -n 20 "$DRILL_DIR/migrate.log"; fail "./migrate $PREV"; }
current="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current)"
[ "$current" = "$PREV (behind head $HEAD)" ] || fail "db current after ./migrate $PREV: $current"
ok "efbundle reverted $HEAD: db current $current"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db upgrade | sed 's/^/   | /'
current="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api db current)"
[ "$current" = "$HEAD (head)" ] || fail "db current after db upgrade: $current"
ok "db upgrade brought it back: $current"

step "Step 7: maintenance off: sed -i '/ENGRAMIA_MAINTENANCE/d' .env; docker compose … up -d engramia-api"
sed -i '/ENGRAMIA_MAINTENANCE/d' .env
docker compose -f docker-compose.prod.yml up -d engramia-api
grep -q ENGRAMIA_MAINTENANCE .env && fail ".env still mentions ENGRAMIA_MAINTENANCE"
grep -q '^ENGRAMIA_MAINTENANCE=' <<< "$(api_environ)" && fail "the recreated engramia-api still has ENGRAMIA_MAINTENANCE"
code="$(http GET /v1/metrics "" "$KEY")"
[ "$code" = 200 ] || fail "GET /v1/metrics answered $code after maintenance: $(cat "$DRILL_DIR/last.json")"
ok "engramia-api recreated without ENGRAMIA_MAINTENANCE; GET /v1/metrics 200 (pattern_count $(json "d['pattern_count']"))"

step "Step 8: docker image prune -f"
docker image prune -f
ok "nothing to prune without a Docker engine"

step "Maintenance without a restart: the shared switch (CLI and PUT /v1/admin/maintenance)"
docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api maintenance on | sed 's/^/   | /'
wait_maintenance on
ok "./Engramia.Api maintenance on: the running engramia-api answers 503 within one poll interval, no restart (pid $api_pid)"
status="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api maintenance status)"
[[ "$status" == "maintenance: on "* ]] || fail "maintenance status: $status"
ok "./Engramia.Api maintenance status: $status"
code="$(http PUT /v1/admin/maintenance '{"enabled": false}' "$KEY")"
[ "$code" = 403 ] || fail "PUT /v1/admin/maintenance with the owner key answered $code, expected 403 (operator only)"
ok "PUT /v1/admin/maintenance with the owner key: 403 (the switch acts on every tenant: operator only)"
curl -sf -X PUT $BASE/v1/admin/maintenance -H "Authorization: Bearer $OPERATOR_TOKEN" -H 'Content-Type: application/json' \
  -d '{"enabled": false}' | python3 -m json.tool > "$DRILL_DIR/switch.json" || fail "PUT /v1/admin/maintenance (operator token) failed"
[ "$(python3 -c "import json; print(json.load(open('$DRILL_DIR/switch.json'))['maintenance'])")" = False ] || fail "PUT answered $(cat "$DRILL_DIR/switch.json")"
wait_maintenance off
ok "PUT /v1/admin/maintenance {\"enabled\": false} with ENGRAMIA_OPERATOR_TOKEN answers during maintenance and turns it off"
status="$(docker compose -f docker-compose.prod.yml exec -T engramia-api ./Engramia.Api maintenance status)"
[[ "$status" == "maintenance: off "* ]] || fail "maintenance status: $status"
ok "./Engramia.Api maintenance status: $status"

step "No pattern was lost"
PATTERNS_AFTER="$(db_patterns)"
[ "$PATTERNS_AFTER" = "$PATTERNS_BEFORE" ] || fail "memory_data rows: $PATTERNS_BEFORE before, $PATTERNS_AFTER after"
EXPORT_AFTER="$(export_fingerprint)"
[ "$EXPORT_AFTER" = "$EXPORT_BEFORE" ] || fail "GET /v1/export differs: before '$EXPORT_BEFORE', after '$EXPORT_AFTER'"
ok "memory_data: $PATTERNS_BEFORE rows before, $PATTERNS_AFTER after; GET /v1/export: same ${EXPORT_AFTER% *} keys (sha256 ${EXPORT_AFTER#* })"
code="$(http POST /v1/recall '{"task":"Drill task 2: resize every image in a folder to thumbnails","limit":3}' "$KEY")"
[ "$code" = 200 ] || fail "recall answered $code"
python3 -c "import json,sys; d=json.load(open('$DRILL_DIR/last.json')); ms=d.get('matches', d if isinstance(d,list) else []); sys.exit(0 if any('Drill task 2' in json.dumps(m) for m in ms) else 1)" \
  || fail "recall did not return the learned pattern: $(cat "$DRILL_DIR/last.json")"
ok "POST /v1/recall returns 'Drill task 2'"
scrape > "$DRILL_DIR/metrics.txt" || fail "scrape /metrics"
gauge="$(series_value "$DRILL_DIR/metrics.txt" engramia_patterns tenant_id=default)"
[ "${gauge%%.*}" = "$PATTERNS_AFTER" ] || fail "engramia_patterns{tenant_id=default} is '$gauge', memory_data holds $PATTERNS_AFTER: $(grep '^engramia_patterns' "$DRILL_DIR/metrics.txt")"
promtool check metrics < "$DRILL_DIR/metrics.txt" || fail "promtool check metrics rejects the exposition"
ok "/metrics: engramia_patterns{tenant_id=\"default\",project_id=\"default\"} $gauge; promtool check metrics accepts the exposition"

printf '\nrunbook drill: %d steps verified in %d s\n' "$passed" "$((SECONDS - STARTED))"
