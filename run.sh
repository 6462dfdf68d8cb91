#!/usr/bin/env bash
# Runs the Pipelines host. With no arguments it runs the host's main job against the brokers in
# KAFKA_BOOTSTRAP_SERVERS, or against an embedded Kafka cluster when none are configured.
# Any arguments are passed to the host: ./run.sh --help
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$ROOT/eng/setup.sh"
build_solution >&2
exec dotnet "$ROOT/src/Host/bin/$CONFIGURATION/net10.0/Pipelines.Host.dll" "$@"
