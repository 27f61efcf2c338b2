#!/usr/bin/env bash
# Idempotently installs the Debian tools the deployment checks use as real peers:
#   ./build/dev-tools.sh prometheus prometheus-alertmanager prometheus-blackbox-exporter caddy
# (promtool comes with prometheus, amtool with prometheus-alertmanager).
# Each named tool is installed only when its command is missing; apt-get update runs at most once.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# tool name -> command that proves it is installed
command_of() {
  case "$1" in
    prometheus) echo promtool ;;
    prometheus-alertmanager) echo amtool ;;
    prometheus-blackbox-exporter) echo prometheus-blackbox-exporter ;;
    caddy) echo caddy ;;
    *) echo "$1" ;;
  esac
}

missing=()
for tool in "$@"; do
  if ! command -v "$(command_of "$tool")" >/dev/null 2>&1; then
    missing+=("$tool")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "dev-tools: installing ${missing[*]}"
  as_root apt-get update -qq >/dev/null
  # --no-install-recommends: only the binaries are needed, not the services' web assets.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start system services; the checks run their own processes on other ports.
  for tool in "${missing[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      as_root systemctl disable --now "$tool" >/dev/null 2>&1 || true
    fi
  done
fi

for tool in "$@"; do
  command -v "$(command_of "$tool")" >/dev/null || { echo "dev-tools: $tool did not install" >&2; exit 1; }
done
echo "dev-tools: ready: $*"
