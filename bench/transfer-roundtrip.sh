#!/usr/bin/env bash
# NDJSON export → import round trip at scale (issue 16): seeds one scope with N patterns (SQL, no
# vectors), exports it as NDJSON through the published service, empties the scope, imports the file
# back as one NDJSON stream, exports again and compares. Reports times and the API's peak RSS
# (VmHWM). Embeddings are off (ENGRAMIA_EMBEDDING_MODEL=none): the figure is the transfer path
# itself, not MiniLM (≈375 embeds/s on 2 cores would add ≈9 min per 200,000 records).
# Usage: ./bench/transfer-roundtrip.sh [N]   (default 200000)
#        TRANSFER_BENCH_EMBEDDING=local ./bench/transfer-roundtrip.sh 10000   (import embeds with the
#        embedded MiniLM model, the service's default, instead of none)
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-200000}"
embedding_model=none
[ "${TRANSFER_BENCH_EMBEDDING:-none}" = "local" ] && embedding_model=local   # the embedded MiniLM
port="${ENGRAMIA_BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
out="artifacts/bench-transfer"
db="engramia_transfer_bench"
mkdir -p "$out"
psql_() { psql -h 127.0.0.1 -p 5433 -U postgres -qAt "$@"; }

./build/dev-db.sh >/dev/null
echo "transfer-bench: building (Release)"
dotnet publish src/Engramia.Api -c Release -o "$out/api" -v quiet -nologo >/dev/null
psql_ -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
psql_ -d "$db" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
export ENGRAMIA_STORAGE=postgres ENGRAMIA_DATABASE_URL="Host=127.0.0.1;Port=5433;Username=postgres;Database=$db"
dotnet "$out/api/Engramia.Api.dll" db upgrade >/dev/null

echo "transfer-bench: seeding $n patterns"
psql_ -d "$db" -c "
  INSERT INTO memory_data (tenant_id, project_id, key, task, design, success_score, reuse_count, timestamp, updated_at, classification, source, redacted, author)
  SELECT 'default', 'default',
         'patterns/' || substr(md5(i::text), 1, 8) || '_' || (1745930123456 + i) || '_b' || i,
         'Benchmark task number ' || i || ': parse the CSV export and compute per-column statistics',
         json_build_object('code', 'import csv' || chr(10) || 'def run_' || i || '(path):' || chr(10) || '    return list(csv.reader(open(path)))' || repeat(' # pad', 20),
                           'classification', 'internal', 'source', 'bench')::jsonb,
         (i % 101) / 10.0, i % 7, 1745930123.456 + i, now(), 'internal', 'bench', false, 'env-key'
  FROM generate_series(1, $n) AS i" >/dev/null

ENGRAMIA_AUTH_MODE=dev ENGRAMIA_ALLOW_NO_AUTH=true ENGRAMIA_ENVIRONMENT=local ENGRAMIA_EMBEDDING_MODEL="${embedding_model}" \
ENGRAMIA_RATE_LIMIT_DEFAULT=100000000 ENGRAMIA_RATE_LIMIT_EXPENSIVE=100000000 ENGRAMIA_RATE_LIMIT_PER_KEY=100000000 \
ENGRAMIA_HOST=127.0.0.1 ENGRAMIA_PORT="$port" Logging__LogLevel__Default=Warning \
  dotnet "$out/api/Engramia.Api.dll" > "$out/api.log" 2>&1 &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break
  kill -0 "$api_pid" 2>/dev/null || { echo "transfer-bench: the API exited, see $out/api.log" >&2; exit 1; }
  sleep 0.5
done
rss() { awk "/$1/ {print int(\$2/1024)}" "/proc/$api_pid/status"; }
base=$(rss VmRSS)

echo "transfer-bench: export (NDJSON)"
t0=$(date +%s.%N)
curl -sfS -H 'Accept: application/x-ndjson' "http://127.0.0.1:$port/v1/export" -o "$out/first.ndjson"
t1=$(date +%s.%N)
exported=$(wc -l < "$out/first.ndjson")
after_export=$(rss VmHWM)

psql_ -d "$db" -c "DELETE FROM memory_data WHERE tenant_id='default' AND project_id='default'" >/dev/null
echo "transfer-bench: import (NDJSON, one stream)"
t2=$(date +%s.%N)
curl -sfS -X POST -H 'Content-Type: application/x-ndjson' -T "$out/first.ndjson" "http://127.0.0.1:$port/v1/import" -o "$out/import.json"
t3=$(date +%s.%N)
stored=$(psql_ -d "$db" -c "SELECT count(*) FROM memory_data WHERE tenant_id='default' AND project_id='default'")

curl -sfS -H 'Accept: application/x-ndjson' "http://127.0.0.1:$port/v1/export" -o "$out/second.ndjson"
identical=$(cmp -s "$out/first.ndjson" "$out/second.ndjson" && echo true || echo false)
peak=$(rss VmHWM)

python3 - "$n" "$exported" "$stored" "$identical" "$base" "$after_export" "$peak" "$t0" "$t1" "$t2" "$t3" "$out" <<'PY'
import json, os, sys
n, exported, stored, identical, base, after_export, peak, t0, t1, t2, t3, out = sys.argv[1:]
summary = json.load(open(os.path.join(out, "import.json")))
size = os.path.getsize(os.path.join(out, "first.ndjson"))
print(json.dumps({
    "records": int(n), "embedding": os.environ.get("TRANSFER_BENCH_EMBEDDING", "none"), "exported_lines": int(exported), "stored_after_import": int(stored),
    "second_export_identical": identical == "true", "ndjson_mb": round(size / 2**20, 1),
    "export_s": round(float(t1) - float(t0), 1), "import_s": round(float(t3) - float(t2), 1),
    "import_summary": {k: summary[k] for k in ("imported", "skipped", "rejected", "committed_through_line")},
    "rss_mb": {"after_start": int(base), "peak_after_export": int(after_export), "peak_overall": int(peak)},
}, indent=1))
ok = int(exported) == int(n) and int(stored) == int(n) and identical == "true" and int(peak) < 600
print("transfer-bench:", "PASS" if ok else "FAIL", f"(peak RSS {peak} MB, budget 600 MB)")
sys.exit(0 if ok else 1)
PY
