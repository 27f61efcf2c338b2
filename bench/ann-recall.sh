#!/usr/bin/env bash
# recall@k of the service's vector search against an exact scan of the same scope, on real MiniLM
# query embeddings (docs/performance.md, "Approximate search"): one large scope, and a small tenant
# inside the same table, at several hnsw.ef_search values.
# Usage: ./bench/ann-recall.sh [--size N] [--real N] [--small N] [--ef-search 40,100,200] [--samples N]
#   --size N    patterns of the large scope (default 10,000)
#   --real N    only N real embeddings, the rest derived with noise (Seeder --real), for large sizes
#   --small N   patterns of the small tenant (default 500)
# Environment: ENGRAMIA_BENCH_DB (database name), ENGRAMIA_BENCH_ITERATIVE_SCAN (default relaxed_order,
# the service's; off shows the plain HNSW walk), ENGRAMIA_BENCH_NO_BUILD=1 (use the existing builds).
set -euo pipefail
cd "$(dirname "$0")/.."
size=10000; real=""; small=500; efs="40,100,200"; samples=100
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift ;;
    --real) real="$2"; shift ;;
    --small) small="$2"; shift ;;
    --ef-search) efs="$2"; shift ;;
    --samples) samples="$2"; shift ;;
    *) echo "usage: bench/ann-recall.sh [--size N] [--real N] [--small N] [--ef-search list] [--samples N]" >&2; exit 2 ;;
  esac
  shift
done
db="${ENGRAMIA_BENCH_DB:-engramia_bench_ann}"
out="artifacts/bench"; mkdir -p "$out" bench/.cache
results="$out/ann-recall.jsonl"; : > "$results"

./build/dev-db.sh >/dev/null
[ -n "${ENGRAMIA_BENCH_NO_BUILD:-}" ] || dotnet build src/Engramia.Api -c Release -v quiet -nologo >/dev/null
[ -n "${ENGRAMIA_BENCH_NO_BUILD:-}" ] || dotnet build bench/Engramia.Bench -c Release -v quiet -nologo >/dev/null
bench="bench/Engramia.Bench/bin/Release/net10.0/Engramia.Bench"
pg="Host=127.0.0.1;Port=5433;Username=postgres"
psql -h 127.0.0.1 -p 5433 -U postgres -qAt -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" >/dev/null
psql -h 127.0.0.1 -p 5433 -U postgres -d "$db" -qAt -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
ENGRAMIA_STORAGE=postgres ENGRAMIA_DATABASE_URL="$pg;Database=$db" dotnet src/Engramia.Api/bin/Release/net10.0/Engramia.Api.dll db upgrade >/dev/null
cs="$pg;Database=$db;Command Timeout=3600"

echo "ann-recall: seeding $size patterns${real:+ ($real real)} and a $small-pattern tenant"
start=$(date +%s)
"$bench" seed --connection "$cs" --count "$size" ${real:+--real "$real"} --cache bench/.cache | sed "s/^{/{\"patterns_in_db\":$size,/" >> "$results"
"$bench" seed --connection "$cs" --count "$small" --tenant small --cache bench/.cache | sed "s/^{/{\"patterns_in_db\":$((size + small)),/" >> "$results"
echo "{\"step\":\"seed_and_index\",\"seconds\":$(( $(date +%s) - start ))}" >> "$results"
psql -h 127.0.0.1 -p 5433 -U postgres -d "$db" -qAt -c "SELECT json_build_object('step','size','database_bytes',pg_database_size('$db'),'hnsw_384_bytes',pg_relation_size('idx_memory_embeddings_hnsw_384'))" >> "$results"
for tenant in default small; do
  echo "ann-recall: measuring tenant $tenant"
  "$bench" ann-recall --connection "$cs" --tenant "$tenant" --ef-search "$efs" --samples "$samples" --iterative-scan "${ENGRAMIA_BENCH_ITERATIVE_SCAN:-relaxed_order}" | sed "s/^{/{\"patterns_in_db\":$((size + small)),/" >> "$results"
done
cat "$results"
psql -h 127.0.0.1 -p 5433 -U postgres -qAt -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
