#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line of its own: "N passed, M failed".
# Exits non-zero when a test failed, a project did not build, or no test ran at all.
set -uo pipefail
cd "$(dirname "$0")/.."

results_dir="$(pwd)/TestResults"
rm -rf "$results_dir"
mkdir -p "$results_dir"

dotnet test Keyway.sln --configuration Release --logger "trx" --results-directory "$results_dir" "$@"
test_exit=$?

passed=0
failed=0
for trx in "$results_dir"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

echo "$passed passed, $failed failed"
if [ "$test_exit" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
