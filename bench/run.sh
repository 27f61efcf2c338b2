#!/usr/bin/env bash
# Repeatable benchmark: seeds PostgreSQL with N patterns (local MiniLM vectors), measures the
# machine's floors, then drives the published service over HTTP and reports latency, throughput
# and peak RSS.
# Usage: ./bench/run.sh [--quick] [--size N[,N...]] [--real N] [--learn-only]
#   --quick       2,000 patterns, short runs (~1-2 min)
#   --size N,...  these sizes instead of 10,000 and 100,000 (e.g. 10000,100000,1000000)
#   --real N      above N patterns, only N vectors are real MiniLM embeddings and the rest derived
#                 from them with noise (Seeder --real; embedding 1,000,000 texts here takes hours)
#   --learn-only  no vectors and no embedding model: learn's database path alone (C = 1 and 16),
#                 to compare learn across sizes in one run (docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0; learn_only=0; size=""; real=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --learn-only) learn_only=1 ;;
    --size) size="$2"; shift ;;
    --real) real="$2"; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--size N[,N...]] [--real N] [--learn-only]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" -eq 1 ]; then sizes=(2000); duration=5; warmup=1; samples=50; ceiling=4
else sizes=(10000 100000); duration=20; warmup=3; samples=200; ceiling=10; fi
[ -n "$size" ] && IFS=, read -r -a sizes <<< "$size"
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
  derived=(); [ -n "$real" ] && [ "$n" -gt "$real" ] && derived=(--real "$real")
  # From 100,000 on the index is built once after the COPY (timed), as an operator bulk-loads.
  index_after=false; [ "$n" -ge 100000 ] && index_after=true
  "$bench" seed --connection "$cs" --count "$n" --cache bench/.cache --vectors "$vectors" "${derived[@]}" --index-after "$index_after" \
    | sed "s/^{/{\"patterns_in_db\":$n,\"real_vectors\":${real:-$n},/" >> "$results"
  psql -h 127.0.0.1 -p 5433 -U postgres -d "$db" -qAt -c "SELECT json_build_object('patterns_in_db',$n,'step','size','database_bytes',pg_database_size('$db'),'hnsw_384_bytes',pg_relation_size('idx_memory_embeddings_hnsw_384'))" >> "$results"
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
  # Learn refuses a scope's 100,000th pattern (store full, spec §3.2): from 100,000 on, the
  # patterns above the 95,000 lowest keys (room for the learns below the
  # last 1,000 before the cap, where learn takes the scope lock) move to another project of the tenant (rows stay in
  # the tables, so the indexes learn probes keep their size; their dedup tokens and eval records
  # go, and their vectors stay where learn never reads them).
  keep=95000; moved=0
  if [ "$n" -ge 100000 ]; then
    moved=$(( n - keep ))
    psql -h 127.0.0.1 -p 5433 -U postgres -d "$db" -qAt -c "
      CREATE TEMP TABLE gone AS SELECT key FROM memory_data WHERE tenant_id='default' AND project_id='default' ORDER BY key OFFSET $keep;
      CREATE INDEX ON gone (key); ANALYZE gone;
      DELETE FROM pattern_dedup_tokens WHERE tenant_id='default' AND project_id='default' AND key IN (SELECT key FROM gone);
      DELETE FROM eval_records WHERE tenant_id='default' AND project_id='default' AND agent_name IN (SELECT key FROM gone);
      UPDATE memory_data SET project_id='overflow' WHERE tenant_id='default' AND project_id='default' AND key IN (SELECT key FROM gone);" \
      -c "VACUUM ANALYZE memory_data" -c "VACUUM ANALYZE pattern_dedup_tokens" >/dev/null
  fi
  echo "bench: learn C=1 and 16 ($n patterns, $moved moved out of the learn scope first)"
  for c in 1 16; do
    "$bench" load --url "http://127.0.0.1:$port" --endpoint learn --concurrency "$c" --duration "$duration" --warmup "$warmup" \
      | sed "s/^{/{\"patterns_in_db\":$n,/" >> "$results" || echo "bench: learn had errors (see $out/api-$n.log)"
  done
  echo "{\"patterns_in_db\":$n,\"step\":\"loadavg\",\"loadavg\":\"$(cut -d" " -f1-3 /proc/loadavg)\"}" >> "$results"
  rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")
  echo "{\"patterns_in_db\":$n,\"step\":\"rss\",\"peak_rss_mb\":$((rss_kb / 1024))}" >> "$results"
  stop_api
done

if [ "$learn_only" -eq 1 ]; then cat "$results"; exit 0; fi
python3 bench/report.py "$results" "$quick" | tee bench/results/latest.md
