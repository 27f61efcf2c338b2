#!/usr/bin/env bash
# The official TypeScript MCP SDK (@modelcontextprotocol/sdk from npm) against Engramia: over
# Streamable HTTP with an API key (a service started on a free loopback port, env auth mode) and over
# stdio (`Engramia.Api mcp` launched by the SDK), each listing tools, learning and recalling.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
api_pid=""
cleanup() {
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd build/mcp-ts-check && npm install --no-audit --no-fund --silent)
[ "${SKIP_BUILD:-}" = 1 ] || dotnet build src/Engramia.Api -c Release -v q -nologo | tail -n 1
dll="$(pwd)/src/Engramia.Api/bin/Release/net10.0/Engramia.Api.dll"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
key="ts-check-$(date +%s)"
ENGRAMIA_DATA_PATH="$work/http" ENGRAMIA_AUTH_MODE=env ENGRAMIA_API_KEYS="$key" ENGRAMIA_ENVIRONMENT=local \
  dotnet "$dll" --urls "http://127.0.0.1:$port" > "$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/v1/health" > /dev/null && break; sleep 0.5; done

node build/mcp-ts-check/check.mjs http "http://127.0.0.1:$port/v1/mcp" "$key"
ENGRAMIA_ENVIRONMENT=local node build/mcp-ts-check/check.mjs stdio "$dll" "$work/stdio"
echo "mcp-ts-check: OK"
