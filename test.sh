#!/usr/bin/env bash
# Builds Pipelines and runs the whole test suite; prints one summary line
# ("tests: N passed, N failed, N skipped") and exits non-zero on any failure.
# Extra arguments go to dotnet test, e.g. ./test.sh --filter "FullyQualifiedName~Hocon".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$ROOT/eng/setup.sh"
build_solution

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
status=0
dotnet test "$ROOT/Pipelines.sln" -c "$CONFIGURATION" --no-build --nologo \
  --blame-hang-timeout 10m "$@" 2>&1 | tee "$LOG" || status=$?

# One line per test assembly: "Passed!  - Failed:     0, Passed:   212, Skipped:     0, Total: ..."
read -r passed failed skipped < <(awk '
  /Failed:[[:space:]]*[0-9]+, Passed:/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$LOG")
# A crashed test host leaves no count for the tests it did not run: say so, or the summary would read as all green.
aborted="$(grep -c "Test Run Aborted" "$LOG" || true)"
summary="tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ "$aborted" -ne 0 ]]; then summary+="; ${aborted} test run(s) aborted (see \"The active test run was aborted\" above)"; fi
echo "$summary"
if [[ "$status" -ne 0 || "$failed" -ne 0 || "$passed" -eq 0 || "$aborted" -ne 0 ]]; then exit 1; fi
