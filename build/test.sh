#!/usr/bin/env bash
# Runs every test project against the real PostgreSQL + pgvector started by dev-db.sh and ends
# with one summary line: "tests: N passed, N failed, N skipped". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

./build/dev-db.sh || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
./build/dev-peers.sh || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet tool restore >/dev/null

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build Engramia.sln -c Release 2>&1 | grep -vE "warning NU1603" | tail -n 3
build_status=${PIPESTATUS[0]}
if [ "$build_status" -ne 0 ]; then
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

dotnet test Engramia.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@"
test_status=$?

# Sum the counters of every TRX file (one per test project).
read -r passed failed total < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["total"] }')
skipped=$(( total - passed - failed ))
if [ "$total" -eq 0 ]; then
  failed=1
fi

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$test_status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
