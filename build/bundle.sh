#!/usr/bin/env bash
# Builds the self-contained EF Core migrations bundle for PostgreSQL (replaces `alembic upgrade`):
#   artifacts/efbundle --connection "Host=…;Database=engramia;Username=…;Password=…" [TargetMigration]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/efbundle}"
mkdir -p "$(dirname "$out")"
dotnet tool restore >/dev/null
dotnet ef migrations bundle \
  --project src/Engramia.Infrastructure --startup-project src/Engramia.Infrastructure \
  --context PostgresDbContext --configuration Release \
  --self-contained -r linux-x64 --force --output "$out"
echo "bundle: $out"
