#!/usr/bin/env bash
# Fault-injection drill: the published service on a PRIVATE PostgreSQL cluster (own port, own data
# dir under /var/tmp, run as user postgres) under a steady learn/recall load, while
#   (a) the database is stopped with `pg_ctl stop -m immediate` and started again,
#   (b) the database refuses connections (ALLOW_CONNECTIONS false) and its backends are terminated,
#   (c) the server is saturated to max_connections by other clients and the service's backends terminated,
#   (d) the service process is SIGKILLed during a learn burst and restarted,
#   (e) it is SIGKILLed during a 3,000-record JSON import (all or none must be stored, vectors too),
#   (f) it is SIGKILLed during a 3,000-line NDJSON import (whole batches of 500; a resend completes it).
# Then 20 concurrent learns of one task must store one pattern with the best score.
#
# Prints one table row per fault: answers 2xx/4xx/503/other-5xx/no-answer, seconds to recover, and
# acknowledged writes lost (every learn answered `"stored":true` is read back from an export at the end).
# Fails (exit 1) on any 5xx other than 503, any lost acknowledged write, a partial import other than
# whole batches, or a series of the Grafana
# dashboard / alert rules without data on the service's /metrics after the drill.
#
# Idempotent and self-cleaning: the cluster, the service, the OpenAI fake and every load process are
# stopped on exit; the data dir is recreated on each run and removed after a passing one. The OpenAI fake (python3, loopback) gives
# the embedding and model series real traffic. DRILL_SKIP_BUILD=1 reuses the last publish.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR="${FAULT_DRILL_DIR:-/var/tmp/engramia-fault-drill}"
PGDATA="$DIR/pg"
APP="$DIR/app"
PGBIN=/usr/lib/postgresql/15/bin
DB=engramia_fault
ROLE=engramia_svc
WORKERS=3
FAULT_SECONDS=8
MAX_CONNECTIONS=30

log() { printf 'fault-drill: %s\n' "$*"; }
die() { printf 'fault-drill: FAILED: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

api_pid=""; fake_pid=""; filler_pids=(); worker_pids=(); burst_pids=(); status=1
cleanup() {
  set +e
  touch "$DIR/stop" 2>/dev/null
  # The load loops' own curl children first (by parent id), then the loops.
  for p in "${worker_pids[@]}" "${burst_pids[@]}"; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  for p in "${filler_pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
  [ -f "$PGDATA/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
  wait 2>/dev/null
  # A passing run leaves only the publish and the logs; a failing one keeps the cluster to look at.
  [ "$status" -eq 0 ] && rm -rf "$PGDATA" "$DIR/load" "$DIR"/import-*
}
trap cleanup EXIT

# --- 1. Tools, a clean drill folder, the published service -------------------------------------------
./build/dev-db.sh >/dev/null   # installs PostgreSQL 15 + pgvector when missing (its shared server is not touched)
command -v curl >/dev/null || die "curl is required"
if [ -f "$PGDATA/postmaster.pid" ]; then as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; fi
mkdir -p "$DIR"
find "$DIR" -mindepth 1 -maxdepth 1 ! -name app -exec rm -rf {} +
mkdir -p "$DIR/load"
if [ "${DRILL_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$APP/Engramia.Api.dll" ]; then
  # Right after build/test.sh (as in .ci/run) the Release build is current: publish it without rebuilding.
  built=src/Engramia.Api/bin/Release/net10.0/Engramia.Api.dll
  no_build=()
  if [ -f "$built" ] && [ -z "$(find src -name '*.cs' -newer "$built" -print -quit)" ]; then no_build=(--no-build); fi
  log "publishing the service ${no_build[*]}"
  dotnet publish src/Engramia.Api/Engramia.Api.csproj -c Release "${no_build[@]}" -o "$APP" > "$DIR/publish.log" 2>&1 \
    || { tail -n 30 "$DIR/publish.log"; die "dotnet publish"; }
fi

# --- 2. A private PostgreSQL cluster ------------------------------------------------------------------
PGPORT="$(free_port)"
mkdir -p "$PGDATA"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR" "$PGDATA"
as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 >/dev/null
pg_start() {
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=$MAX_CONNECTIONS -c superuser_reserved_connections=3" start >/dev/null
}
pg_start
psql_su() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_su -d postgres -c "CREATE ROLE $ROLE LOGIN" -c "CREATE ROLE filler LOGIN" -c "CREATE DATABASE $DB OWNER $ROLE"
psql_su -d "$DB" -c "CREATE EXTENSION vector"
log "private cluster on 127.0.0.1:$PGPORT (max_connections=$MAX_CONNECTIONS), data in $PGDATA"

# --- 3. The OpenAI fake and the service ---------------------------------------------------------------
FAKE_PORT="$(free_port)"
python3 - "$FAKE_PORT" > "$DIR/fake-openai.log" 2>&1 <<'PY' &
import hashlib, json, struct, sys, base64
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
EVAL = {"task_alignment": 8, "code_quality": 7, "workspace_usage": 8, "robustness": 6, "overall": 7.5, "feedback": "Handle missing files."}
def vector(text, dim=1536):
    seed = hashlib.sha256(text.encode()).digest()
    return [((seed[i % 32] ^ (i * 31)) % 255) / 255.0 - 0.5 for i in range(dim)]
class Fake(BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path.endswith("/embeddings"):
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = []
            for i, t in enumerate(texts):
                v = vector(str(t))
                emb = base64.b64encode(struct.pack("<%df" % len(v), *v)).decode() if body.get("encoding_format") == "base64" else v
                data.append({"object": "embedding", "index": i, "embedding": emb})
            reply = {"object": "list", "data": data, "model": body.get("model"), "usage": {"prompt_tokens": 1, "total_tokens": 1}}
        else:
            reply = {"id": "c1", "object": "chat.completion", "created": 0, "model": body.get("model"),
                     "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": json.dumps(EVAL)}}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        raw = json.dumps(reply).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(raw)))
        self.end_headers(); self.wfile.write(raw)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Fake).serve_forever()
PY
fake_pid=$!

API_PORT="$(free_port)"
BASE="http://127.0.0.1:$API_PORT"
BOOTSTRAP="fault-$RANDOM$RANDOM"
METRICS_TOKEN="metrics-$RANDOM$RANDOM"
service_env() {
  export ENGRAMIA_STORAGE=postgres ENGRAMIA_DATABASE_URL="postgresql://$ROLE@127.0.0.1:$PGPORT/$DB"
  export ENGRAMIA_HOST=127.0.0.1 ENGRAMIA_PORT="$API_PORT" ENGRAMIA_ENVIRONMENT=drill
  export ENGRAMIA_AUTH_MODE=db ENGRAMIA_BOOTSTRAP_TOKEN="$BOOTSTRAP"
  export ENGRAMIA_METRICS=true ENGRAMIA_METRICS_TOKEN="$METRICS_TOKEN"
  export OPENAI_API_KEY=sk-drill OPENAI_BASE_URL="http://127.0.0.1:$FAKE_PORT/v1" ENGRAMIA_EMBEDDING_MODEL=text-embedding-3-small
  export ENGRAMIA_RATE_LIMIT_DEFAULT=1000000 ENGRAMIA_RATE_LIMIT_EXPENSIVE=1000000 ENGRAMIA_RATE_LIMIT_PER_KEY=1000000
  export ENGRAMIA_JOB_POLL_INTERVAL=0.5 ENGRAMIA_MAINTENANCE_POLL_INTERVAL=1 ENGRAMIA_JSON_LOGS=false
  export ENGRAMIA_MAX_BODY_SIZE=16777216   # the 3,000-record JSON import of fault (e)
}
( service_env; export ENGRAMIA_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/$DB"; cd "$APP"; dotnet Engramia.Api.dll db upgrade ) > "$DIR/migrate.log" 2>&1 \
  || { tail -n 20 "$DIR/migrate.log"; die "db upgrade"; }
psql_su -d "$DB" -c "GRANT ALL ON ALL TABLES IN SCHEMA public TO $ROLE" -c "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO $ROLE"

start_service() {
  ( service_env; cd "$APP"; exec dotnet Engramia.Api.dll ) >> "$DIR/api.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 1800); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/health/ready")" = 200 ] && return 0
    kill -0 "$api_pid" 2>/dev/null || { tail -n 30 "$DIR/api.log"; die "the service exited"; }
    sleep 0.1
  done
  die "the service did not become ready"
}
start_service
KEY="$(curl -sf -X POST "$BASE/v1/keys/bootstrap" -H 'Content-Type: application/json' -d "{\"bootstrap_token\":\"$BOOTSTRAP\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')" || die "bootstrap key"
AUTH="Authorization: Bearer $KEY"
log "service pid $api_pid on $BASE (db keys), OpenAI fake on 127.0.0.1:$FAKE_PORT"

# --- 4. The load: WORKERS loops of learn + recall, each answer logged with the current phase ----------
echo warmup > "$DIR/phase"
worker() {
  local id=$1 n=0 phase resp code task
  while [ ! -f "$DIR/stop" ]; do
    n=$((n + 1))
    task="drill w$id n$n $(printf 'a%x b%x c%x d%x' $RANDOM $RANDOM $RANDOM $RANDOM)"
    resp="$(curl -s -m 10 -w ' %{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
      -d "{\"task\":\"$task\",\"code\":\"print($n)\",\"eval_score\":7}" "$BASE/v1/learn" || true)"
    code="${resp##* }"; [ -n "$code" ] || code=000
    read -r phase < "$DIR/phase" || true   # answers count for the phase they arrive in
    case "$resp" in *'"stored":true'*) printf '%s\t%s\n' "$phase" "$task" >> "$DIR/load/acked";; esac
    echo "$phase $code" >> "$DIR/load/w$id"
    resp="$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
      -d "{\"task\":\"drill w$id\",\"limit\":3}" "$BASE/v1/recall" || true)"
    read -r phase < "$DIR/phase" || true
    echo "$phase ${resp:-000}" >> "$DIR/load/w$id"
  done
}
for i in $(seq 1 "$WORKERS"); do worker "$i" & worker_pids+=($!); done

# Seconds until a recall answers 200 again (the service has recovered on its own).
recover() {
  local t0=${1:-$(date +%s.%N)} now
  for _ in $(seq 1 600); do
    [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' -d '{"task":"drill"}' "$BASE/v1/recall")" = 200 ] \
      && { now=$(date +%s.%N); python3 -c "print(f'{$now - $t0:.1f}')"; return 0; }
    sleep 0.2
  done
  echo "never"
}
declare -A RECOVERY
phase() { echo "$1" > "$DIR/phase.new"; mv "$DIR/phase.new" "$DIR/phase"; log "phase $1"; }
terminate_service_backends() { psql_su -d postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '$ROLE'" >/dev/null; }

sleep 4
# (a) stop -m immediate, start
phase a_pg_ctl_stop
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null
sleep "$FAULT_SECONDS"
pg_start
RECOVERY[a_pg_ctl_stop]="$(recover)"
phase steady; sleep 3

# (b) refuse connections and terminate the service's backends
phase b_refuse_connections
psql_su -d postgres -c "ALTER DATABASE $DB ALLOW_CONNECTIONS false" >/dev/null
terminate_service_backends
sleep "$FAULT_SECONDS"
psql_su -d postgres -c "ALTER DATABASE $DB ALLOW_CONNECTIONS true" >/dev/null
RECOVERY[b_refuse_connections]="$(recover)"
phase steady; sleep 3

# (c) other clients hold every connection slot. To hand them the slots the service holds, the service
# is kept out for a moment (ALLOW_CONNECTIONS false on its database, backends terminated) while
# clients of the `postgres` database take every free slot; then its database is open again and the
# service meets a full server ("sorry, too many clients already", 53300) for the rest of the window.
phase c_max_connections
psql_su -d postgres -c "ALTER DATABASE $DB ALLOW_CONNECTIONS false" >/dev/null
terminate_service_backends
slots=$((MAX_CONNECTIONS - 3))
for _ in $(seq 1 100); do
  held="$(psql_su -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'filler'")"
  [ "$held" -ge "$slots" ] && break
  for _ in $(seq 1 $((slots - held))); do
    psql -h 127.0.0.1 -p "$PGPORT" -U filler -d postgres -qtA -c "SELECT pg_sleep($((FAULT_SECONDS + 30)))" >/dev/null 2>&1 &
    filler_pids+=($!)
  done
  sleep 0.3
done
psql_su -d postgres -c "ALTER DATABASE $DB ALLOW_CONNECTIONS true" >/dev/null
sleep "$FAULT_SECONDS"
log "connections held by other clients: $(psql_su -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'filler'")"
for p in "${filler_pids[@]}"; do kill "$p" 2>/dev/null || true; done
psql_su -d postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'filler'" >/dev/null
filler_pids=()
RECOVERY[c_max_connections]="$(recover)"
phase steady; sleep 3

# (d) SIGKILL the service during a learn burst, restart it
phase d_sigkill_learn_burst
burst() {
  local id=$1 n resp
  for n in $(seq 1 40); do
    task="burst b$id n$n $(printf 'a%x b%x c%x d%x' $RANDOM $RANDOM $RANDOM $RANDOM)"
    resp="$(curl -s -m 10 -w ' %{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
      -d "{\"task\":\"$task\",\"code\":\"print($n)\",\"eval_score\":6}" "$BASE/v1/learn" || true)"
    case "$resp" in *'"stored":true'*) printf 'd_sigkill_learn_burst\t%s\n' "$task" >> "$DIR/load/acked";; esac
    echo "d_sigkill_learn_burst ${resp##* }" >> "$DIR/load/burst$id"
  done
}
burst_pids=()
for i in 1 2 3 4; do burst "$i" & burst_pids+=($!); done
sleep 2
t_kill=$(date +%s.%N)
kill -9 "$api_pid"; wait "$api_pid" 2>/dev/null || true
log "service SIGKILLed mid-burst; restarting"
start_service
RECOVERY[d_sigkill_learn_burst]="$(recover "$t_kill")"
wait "${burst_pids[@]}" 2>/dev/null || true
phase steady; sleep 2
touch "$DIR/stop"; wait "${worker_pids[@]}" 2>/dev/null || true; worker_pids=()

# (e)/(f) SIGKILL during a large import, once a write transaction of it is open, then restart.
# JSON: one transaction for the whole batch, so all records or none. NDJSON: one transaction per 500
# lines, so a whole number of batches, and resending the stream (stored keys are skipped) completes it.
IMPORT_N=3000   # both imports fit the default project quota (8,000 patterns)
make_import() { # $1 json|ndjson, $2 key tag
  python3 - "$1" "$2" "$IMPORT_N" <<'PY'
import json, sys
fmt, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [{"version": 1, "key": f"patterns/imp_{tag}_{i:05d}",
         "data": {"task": f"imported {tag} task {i}", "design": {"code": f"print({i})"}, "success_score": 6.5}} for i in range(n)]
print(json.dumps({"records": recs}) if fmt == "json" else "\n".join(json.dumps(r) for r in recs))
PY
}
stored() { # rows and vectors of one import tag, read straight from the database
  psql_su -d "$DB" -c "SELECT (SELECT count(*) FROM memory_data WHERE key LIKE 'patterns/imp_$1_%') || ' ' || (SELECT count(*) FROM memory_embeddings WHERE key LIKE 'patterns/imp_$1_%')"
}
kill_mid_import() { # $1 content type, $2 file, $3 tag, $4 SQL that is true once a write of it is under way
  local t0 seen=no
  curl -s -o "$DIR/import-$3.out" -m 300 -H "$AUTH" -H "Content-Type: $1" --data-binary "@$2" "$BASE/v1/import" &
  local curl_pid=$!
  for _ in $(seq 1 1200); do
    [ "$(psql_su -d "$DB" -c "$4")" = t ] && { seen=yes; break; }
    kill -0 "$curl_pid" 2>/dev/null || break
    sleep 0.05
  done
  t0=$(date +%s.%N)
  kill -9 "$api_pid"; wait "$api_pid" 2>/dev/null || true
  wait "$curl_pid" 2>/dev/null || true
  log "service SIGKILLed during the $3 import (write under way: $seen); restarting"
  start_service
  RECOVERY[$3]="$(recover "$t0")"
  IMPORT_SEEN[$3]=$seen
}
declare -A IMPORT_SEEN IMPORT_ROWS
make_import json e > "$DIR/import-e.json"
make_import ndjson f > "$DIR/import-f.ndjson"
phase e_sigkill_json_import
kill_mid_import application/json "$DIR/import-e.json" e_sigkill_json_import \
  "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = '$DB' AND usename = '$ROLE' AND backend_xid IS NOT NULL AND query ILIKE '%memory_%'"
IMPORT_ROWS[e_sigkill_json_import]="$(stored e)"
phase f_sigkill_ndjson_import
kill_mid_import application/x-ndjson "$DIR/import-f.ndjson" f_sigkill_ndjson_import \
  "SELECT count(*) >= 1000 FROM memory_data WHERE key LIKE 'patterns/imp_f_%'"
IMPORT_ROWS[f_sigkill_ndjson_import]="$(stored f)"
curl -sf -o "$DIR/import-f-resend.out" -m 300 -H "$AUTH" -H 'Content-Type: application/x-ndjson' --data-binary "@$DIR/import-f.ndjson" "$BASE/v1/import" \
  || die "NDJSON import resend"
IMPORT_RESENT="$(stored f)"
phase steady

# Model and job traffic for the dashboard's model/job panels: one evaluate, one async evaluate to completion.
curl -sf -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -d '{"task":"drill","code":"print(1)","num_evals":1}' "$BASE/v1/evaluate" \
  || die "evaluate"
JOB="$(curl -sf -H "$AUTH" -H 'Content-Type: application/json' -H 'Prefer: respond-async' -d '{"task":"drill","code":"print(2)","num_evals":1}' \
  "$BASE/v1/evaluate" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')" || die "async evaluate"
for _ in $(seq 1 200); do
  [ "$(curl -sf -H "$AUTH" "$BASE/v1/jobs/$JOB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = completed ] && break
  sleep 0.2
done

# --- 5. 20 concurrent learns of one task: one pattern with the best score -----------------------------
ONE_TASK="fault drill concurrent task $(printf '%x%x' $RANDOM $RANDOM)"
one_pids=()
for i in $(seq 1 20); do   # scores 0.5, 1.0, … 10.0 in parallel: the best is 10.0
  curl -s -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"task\":\"$ONE_TASK\",\"code\":\"v$i\",\"eval_score\":$((i / 2)).$((i % 2 * 5))}" "$BASE/v1/learn" &
  one_pids+=($!)
done
wait "${one_pids[@]}" || true

# --- 6. Read back every acknowledged write; the concurrency check; the series ---------------------------
curl -sf -H "$AUTH" "$BASE/v1/export" > "$DIR/export.json" || die "export"
python3 - "$DIR" "$ONE_TASK" <<'PY' > "$DIR/readback.txt"
import json, sys
d, one = sys.argv[1], sys.argv[2]
records = json.load(open(f"{d}/export.json"))["records"]
stored = {r["data"]["task"] for r in records}
import os, collections
acked = [l.rstrip("\n").split("\t", 1) for l in open(f"{d}/load/acked")] if os.path.exists(f"{d}/load/acked") else []
lost = [(p, t) for p, t in acked if t not in stored]
ones = [r for r in records if r["data"]["task"] == one]
print(len(acked), len(lost), len(ones), f'{float(ones[0]["data"]["success_score"]):.1f}' if ones else "none")
acked_by, lost_by = collections.Counter(p for p, _ in acked), collections.Counter(p for p, _ in lost)
with open(f"{d}/lost-by-phase.txt", "w") as out:
    for p in sorted(set(acked_by) | {"a_pg_ctl_stop", "b_refuse_connections", "c_max_connections", "d_sigkill_learn_burst", "steady", "warmup"}):
        out.write(f"{p} {lost_by[p]} {acked_by[p]}\n")
for p, t in lost[:5]: print("LOST", p, t)
PY
read -r ACKED LOST ONES ONE_SCORE < "$DIR/readback.txt"

curl -sf -H "Authorization: Bearer $METRICS_TOKEN" "$BASE/metrics" > "$DIR/metrics.txt" || die "/metrics"

# --- 7. The table ---------------------------------------------------------------------------------------
cat "$DIR"/load/w* "$DIR"/load/burst* > "$DIR/answers.txt"
printf '\n%-24s %6s %6s %6s %10s %10s %10s %s\n' fault 2xx 4xx 503 other-5xx no-answer recover-s "lost/acked writes"
other5xx_total=0
for f in warmup a_pg_ctl_stop b_refuse_connections c_max_connections d_sigkill_learn_burst steady; do
  read -r ok c4 c503 c5 none < <(awk -v f="$f" '$1==f { if ($2 ~ /^2/) a++; else if ($2 ~ /^4/) b++; else if ($2=="503") c++; else if ($2 ~ /^5/) e++; else n++ }
    END { printf "%d %d %d %d %d\n", a, b, c, e, n }' "$DIR/answers.txt")
  other5xx_total=$((other5xx_total + c5))
  lost_col="$(awk -v f="$f" '$1==f { print $2 "/" $3 }' "$DIR/lost-by-phase.txt")"
  printf '%-24s %6s %6s %6s %10s %10s %10s %s\n' "$f" "$ok" "$c4" "$c503" "$c5" "$none" "${RECOVERY[$f]:--}" "$lost_col"
done


printf '\n%-24s %10s %10s %14s %s\n' "import fault" "write seen" recover-s "rows/vectors" "after resend"
printf '%-24s %10s %10s %14s %s\n' e_sigkill_json_import "${IMPORT_SEEN[e_sigkill_json_import]}" "${RECOVERY[e_sigkill_json_import]}" \
  "${IMPORT_ROWS[e_sigkill_json_import]/ //}" "- (all $IMPORT_N or none)"
printf '%-24s %10s %10s %14s %s\n' f_sigkill_ndjson_import "${IMPORT_SEEN[f_sigkill_ndjson_import]}" "${RECOVERY[f_sigkill_ndjson_import]}" \
  "${IMPORT_ROWS[f_sigkill_ndjson_import]/ //}" "${IMPORT_RESENT/ //} (whole batches of 500, then all $IMPORT_N)"
printf '\nconcurrent learns of one task: %s pattern(s), score %s (best sent: 10.0)\n' "$ONES" "$ONE_SCORE"

status=0
[ "$other5xx_total" -eq 0 ] || { log "FAILED: $other5xx_total answers were 5xx other than 503"; grep -E ' 5[0-9][0-9]$' "$DIR/answers.txt" | grep -v ' 503$' | sort | uniq -c | head; status=1; }
[ "$LOST" -eq 0 ] || { log "FAILED: $LOST acknowledged writes lost"; grep LOST "$DIR/readback.txt"; status=1; }
[ "$ACKED" -gt 0 ] || { log "FAILED: no learn was acknowledged"; status=1; }
read -r e_rows e_vecs <<< "${IMPORT_ROWS[e_sigkill_json_import]}"
{ [ "$e_rows" = 0 ] || [ "$e_rows" = "$IMPORT_N" ]; } && [ "$e_rows" = "$e_vecs" ] \
  || { log "FAILED: a JSON import killed mid-way left $e_rows rows / $e_vecs vectors (all $IMPORT_N or none)"; status=1; }
read -r f_rows f_vecs <<< "${IMPORT_ROWS[f_sigkill_ndjson_import]}"
[ $((f_rows % 500)) = 0 ] && [ "$f_rows" = "$f_vecs" ] \
  || { log "FAILED: an NDJSON import killed mid-way left $f_rows rows / $f_vecs vectors (not whole batches of 500)"; status=1; }
[ "$IMPORT_RESENT" = "$IMPORT_N $IMPORT_N" ] || { log "FAILED: resending the NDJSON import left $IMPORT_RESENT rows/vectors"; status=1; }
[ "$ONES" = 1 ] && [ "$ONE_SCORE" = 10.0 ] || { log "FAILED: concurrent learns stored $ONES pattern(s) with score $ONE_SCORE"; status=1; }

missing=""
for name in $(grep -ohE '[a-zA-Z_:][a-zA-Z0-9_:]*\{job=' deploy/monitoring/grafana/engramia-overview.json deploy/monitoring/alerts.rules.yml | sed 's/{job=//' | sort -u); do
  case "$name" in up|probe_success|engramia_maintenance) continue ;; esac
  awk -v n="$name" '$1 == n || index($1, n "{") == 1 { found=1 } END { exit !found }' "$DIR/metrics.txt" || missing="$missing $name"
done
[ -z "$missing" ] || { log "FAILED: series without data on /metrics:$missing"; status=1; }
[ -z "$missing" ] && log "every dashboard and alert series has data on /metrics"

[ "$status" -eq 0 ] && log "passed in $SECONDS s" || log "failed in $SECONDS s (logs in $DIR)"
exit "$status"
