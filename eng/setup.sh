#!/usr/bin/env bash
# Idempotent set-up shared by ./run.sh and ./test.sh: system packages, the librdkafka.redist
# placeholder package, restore and build. Fast when nothing is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[setup] %s\n' "$*" >&2; }

have_librdkafka() {
  if [[ -n "${PIPELINES_LIBRDKAFKA_PATH:-}" && -f "${PIPELINES_LIBRDKAFKA_PATH}" ]]; then return 0; fi
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'librdkafka\.so\.1 '; then return 0; fi
  compgen -G '/usr/lib/*/librdkafka.so.1' >/dev/null || compgen -G '/usr/lib/librdkafka.so.1' >/dev/null
}

ensure_system_packages() {
  command -v dotnet >/dev/null 2>&1 || { log "the .NET SDK (dotnet) is required: https://dot.net"; exit 1; }
  if have_librdkafka; then return 0; fi
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing librdkafka1 (the native Kafka client library)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq librdkafka1 >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq librdkafka1 >/dev/null; }
  else
    log "librdkafka is missing. Install it as root with: apt-get install librdkafka1"
    log "(or point PIPELINES_LIBRDKAFKA_PATH at an existing librdkafka.so.1)"
    exit 1
  fi
}

ensure_placeholder_package() {
  local nupkg="$ROOT/.packages/librdkafka.redist.1.9.2.nupkg"
  if [[ -f "$nupkg" ]]; then return 0; fi
  log "packing the librdkafka.redist placeholder package"
  dotnet pack "$ROOT/eng/placeholders/librdkafka.redist/librdkafka.redist.csproj" -c Release \
    -o "$ROOT/.packages" --nologo -v quiet >/dev/null
}

build_solution() {
  dotnet build "$ROOT/Pipelines.sln" -c "$CONFIGURATION" --nologo -v quiet -clp:"ErrorsOnly;NoSummary" "$@"
}

ensure_system_packages
ensure_placeholder_package
