#!/usr/bin/env bash
# Checks the deployment artifacts with the real tools (no Docker needed):
#   promtool check config / check rules / test rules, amtool check-config and the blackbox
#   exporter's --config.check on deploy/monitoring; caddy validate on deploy/Caddyfile.
# Installs promtool and caddy from Debian when missing (build/dev-tools.sh). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./build/dev-tools.sh prometheus prometheus-alertmanager prometheus-blackbox-exporter caddy >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# prometheus.yml reads the bearer token from secrets/metrics_token, which is never committed.
cp -r deploy/monitoring "$work/monitoring"
cp deploy/monitoring/secrets/metrics_token.example "$work/monitoring/secrets/metrics_token"
(cd "$work/monitoring" && promtool check config prometheus.yml && promtool check rules alerts.rules.yml && promtool test rules alerts.test.yml)
amtool check-config deploy/monitoring/alertmanager.yml
prometheus-blackbox-exporter --config.file=deploy/monitoring/blackbox.yml --config.check 2>&1 | grep -q "Config file is ok" \
  || { echo "blackbox.yml rejected" >&2; exit 1; }

CADDY_EMAIL=ops@example.com DOMAIN_API=api.example.com XDG_DATA_HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" \
  caddy validate --config deploy/Caddyfile --adapter caddyfile 2>&1 | grep -E "Valid configuration|Error" 
echo "check-deploy: promtool, amtool, blackbox exporter and caddy validate passed"
