#!/usr/bin/env bash
# Idempotent set-up shared by ./run.sh and ./test.sh: checks for the .NET SDK, then restores and builds.
# Everything else comes from NuGet, the native Kafka client included (librdkafka.redist).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[setup] %s\n' "$*" >&2; }

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { log "the .NET SDK (dotnet) is required: https://dot.net"; exit 1; }
}

build_solution() {
  dotnet build "$ROOT/Pipelines.sln" -c "$CONFIGURATION" --nologo -v quiet -clp:"ErrorsOnly;NoSummary" "$@"
}

ensure_dotnet
