#!/usr/bin/env bash
# Repeatable benchmark: seeds PostgreSQL with N patterns (local MiniLM vectors), measures the
# machine's floors, then drives the published service over HTTP and reports latency, throughput
# and peak RSS.
# Usage: ./bench/run.sh [--quick] [--size N] [--learn-only]
#   --quick       2,000 patterns, short runs (~1-2 min)
#   --size N      one size instead of 10,000 and 100,000
#   --learn-only  no vectors and no embedding model: learn's database path alone (C = 1 and 16),
#                 to compare learn across sizes in one run (docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0; learn_only=0; size=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --learn-only) learn_only=1 ;;
    --size) size="$2"; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--size N] [--learn-only]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" -eq 1 ]; then sizes=(2000); duration=5; warmup=1; samples=50; ceiling=4
else sizes=(10000 100000); duration=20; warmup=3; samples=200; ceiling=10; fi
[ -n "$size" ] && sizes=("$size")
db="${ENGRAMIA_BENCH_DB:-engramia_bench}"

port="${ENGRAMIA_BENCH_PORT:-8190}"
out="artifacts/bench"
mkdir -p "$out" bench/.cache bench/results
results="$out/results.jsonl"
: > "$results"
cut -d" " -f1-3 /proc/loadavg > "$out/loadavg-start"

./build/dev-db.sh >/dev/null
echo "bench: building (Release)"
dotnet publish src/Engramia.Api -c Release -o "$out/api" -v quiet -nologo >/dev/null
dotnet build bench/Engramia.Bench -c Release -v quiet -nologo >/dev/null
bench="bench/Engramia.Bench/bin/Release/net10.0/Engramia.Bench"

pg="Host=127.0.0.1;Port=5433;Username=postgres"
psql -h 127.0.0.1 -p 5433 -U postgres -qAt -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" >/dev/null
psql -h 127.0.0.1 -p 5433 -U postgres -d $db -qAt -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
cs="$pg;Database=$db;Command Timeout=900;Options=-c hnsw.iterative_scan=relaxed_order -c hnsw.ef_search=100"  # the service's defaults (PostgresUrl)
export ENGRAMIA_STORAGE=postgres ENGRAMIA_DATABASE_URL="$pg;Database=$db"
dotnet "$out/api/Engramia.Api.dll" db upgrade >/dev/null

api_pid=""
stop_api() { if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; api_pid=""; fi; }
trap stop_api EXIT

for n in "${sizes[@]}"; do
  echo "bench: seeding $n patterns"
  vectors=minilm; [ "$learn_only" -eq 1 ] && vectors=none
  "$bench" seed --connection "$cs" --count "$n" --cache bench/.cache --vectors "$vectors" | sed "s/^{/{\"patterns_in_db\":$n,/" >> "$results"
  [ "$learn_only" -eq 1 ] || echo "bench: measuring floors ($n)"
  [ "$learn_only" -eq 1 ] || "$bench" floors --connection "$cs" --k 60 --samples "$samples" --ceiling-seconds "$ceiling" | sed "s/^{/{\"patterns_in_db\":$n,/" >> "$results"

  echo "bench: starting the API on 127.0.0.1:$port"
  ENGRAMIA_AUTH_MODE=dev ENGRAMIA_ALLOW_NO_AUTH=true ENGRAMIA_ENVIRONMENT=local \
  ENGRAMIA_RATE_LIMIT_DEFAULT=100000000 ENGRAMIA_RATE_LIMIT_EXPENSIVE=100000000 ENGRAMIA_RATE_LIMIT_PER_KEY=100000000 \
  ENGRAMIA_EMBEDDING_MODEL="$([ "$learn_only" -eq 1 ] && echo none || echo local)" \
  ENGRAMIA_PROJECT_QUOTA_PCT=1 ENGRAMIA_HOST=127.0.0.1 ENGRAMIA_PORT="$port" Logging__LogLevel__Default=Warning \
    dotnet "$out/api/Engramia.Api.dll" > "$out/api-$n.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break
    kill -0 "$api_pid" 2>/dev/null || { echo "bench: the API exited, see $out/api-$n.log" >&2; tail -5 "$out/api-$n.log" >&2; exit 1; }
    sleep 0.5
  done

  for c in 1 16; do
    [ "$learn_only" -eq 1 ] && break
    for ep in health recall; do
      echo "bench: $ep C=$c ($n patterns)"
      "$bench" load --url "http://127.0.0.1:$port" --endpoint "$ep" --concurrency "$c" --duration "$duration" --warmup "$warmup" \
        | sed "s/^{/{\"patterns_in_db\":$n,/" >> "$results" || echo "bench: $ep C=$c had errors (see $out/api-$n.log)"
    done
  done
  # Learn refuses a 100,000th pattern (store full, spec §3.2): make room for the new ones by
  # deleting the seeded patterns with the highest keys, so learn still scans ~N stored tasks.
  room=$(( n >= 100000 ? 3000 : 0 ))
  if [ "$room" -gt 0 ]; then
    psql -h 127.0.0.1 -p 5433 -U postgres -d $db -qAt -c "
      CREATE TEMP TABLE gone AS SELECT key FROM memory_data WHERE tenant_id='default' AND project_id='default' ORDER BY key DESC LIMIT $room;
      DELETE FROM memory_embeddings WHERE tenant_id='default' AND project_id='default' AND key IN (SELECT key FROM gone);
      DELETE FROM eval_records WHERE tenant_id='default' AND project_id='default' AND agent_name IN (SELECT key FROM gone);
      DELETE FROM memory_data WHERE tenant_id='default' AND project_id='default' AND key IN (SELECT key FROM gone);" >/dev/null
  fi
  echo "bench: learn C=1 ($n patterns, $room removed first)"
  for c in 1 $([ "$learn_only" -eq 1 ] && echo 16); do
    "$bench" load --url "http://127.0.0.1:$port" --endpoint learn --concurrency "$c" --duration "$duration" --warmup "$warmup" \
      | sed "s/^{/{\"patterns_in_db\":$n,/" >> "$results" || echo "bench: learn had errors (see $out/api-$n.log)"
  done
  rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")
  echo "{\"patterns_in_db\":$n,\"step\":\"rss\",\"peak_rss_mb\":$((rss_kb / 1024))}" >> "$results"
  stop_api
done

if [ "$learn_only" -eq 1 ]; then cat "$results"; exit 0; fi
python3 bench/report.py "$results" "$quick" | tee bench/results/latest.md
