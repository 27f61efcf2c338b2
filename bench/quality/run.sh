#!/usr/bin/env bash
# Recall-quality benchmark (docs/quality.md): publishes the service, then for each store (SQLite
# embedded, PostgreSQL on 127.0.0.1:5433) and each embedding model starts it on a fresh store and a
# free port, and runs bench/quality/quality.py against it over HTTP. Prints the table at the end.
# Usage: bench/quality/run.sh [--stores sqlite,postgres] [--models minilm,arctic-xs] [--modes vector,hybrid]
set -euo pipefail
cd "$(dirname "$0")/../.."

stores="sqlite,postgres"; models="minilm"; modes="vector,hybrid"
while [ $# -gt 0 ]; do
  case "$1" in
    --stores) stores="$2"; shift ;;
    --models) models="$2"; shift ;;
    --modes) modes="$2"; shift ;;
    *) echo "usage: bench/quality/run.sh [--stores sqlite,postgres] [--models minilm,arctic-xs] [--modes vector,hybrid]" >&2; exit 2 ;;
  esac
  shift
done

out="artifacts/quality"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
# One database per checkout, so worktrees running this at once do not collide.
db="engramia_quality_$(pwd | md5sum | cut -c1-8)"
pg="Host=127.0.0.1;Port=5433;Username=postgres;Database=$db"

echo "quality: publishing the service (Release)"
dotnet publish src/Engramia.Api -c Release -o "$out/api" -v quiet -nologo >/dev/null
[[ ",$stores," == *",postgres,"* ]] && ./build/dev-db.sh >/dev/null

api_pid=""; data_dir=""
stop_api() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; api_pid=""; fi
  if [ -n "$data_dir" ]; then rm -rf "$data_dir"; data_dir=""; fi
}
trap stop_api EXIT

for store in ${stores//,/ }; do
  for model in ${models//,/ }; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$store" = postgres ]; then
      psql -h 127.0.0.1 -p 5433 -U postgres -qAt -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" >/dev/null
      ENGRAMIA_STORAGE=postgres ENGRAMIA_DATABASE_URL="$pg" dotnet "$out/api/Engramia.Api.dll" db upgrade >/dev/null
      store_env=(ENGRAMIA_STORAGE=postgres ENGRAMIA_DATABASE_URL="$pg")
    else
      data_dir=$(mktemp -d)
      store_env=(ENGRAMIA_STORAGE=sqlite ENGRAMIA_DATA_PATH="$data_dir")
    fi
    echo "quality: $store / $model on 127.0.0.1:$port"
    env "${store_env[@]}" ENGRAMIA_EMBEDDING_MODEL="$model" \
      ENGRAMIA_AUTH_MODE=dev ENGRAMIA_ALLOW_NO_AUTH=true ENGRAMIA_ENVIRONMENT=local \
      ENGRAMIA_RATE_LIMIT_DEFAULT=100000000 ENGRAMIA_RATE_LIMIT_EXPENSIVE=100000000 ENGRAMIA_RATE_LIMIT_PER_KEY=100000000 \
      ENGRAMIA_HOST=127.0.0.1 ENGRAMIA_PORT="$port" Logging__LogLevel__Default=Warning \
      dotnet "$out/api/Engramia.Api.dll" > "$out/api-$store-$model.log" 2>&1 &
    api_pid=$!
    for _ in $(seq 1 240); do
      curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break
      kill -0 "$api_pid" 2>/dev/null || { echo "quality: the API exited, see $out/api-$store-$model.log" >&2; tail -5 "$out/api-$store-$model.log" >&2; exit 1; }
      sleep 0.5
    done
    python3 bench/quality/quality.py --url "http://127.0.0.1:$port" --label "$store/$model" --modes "$modes" --out "$results" >/dev/null
    stop_api
    [ "$store" = postgres ] && psql -h 127.0.0.1 -p 5433 -U postgres -qAt -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  done
done

python3 bench/quality/report.py "$results"
