#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line of its own: "N passed, M failed".
# Exits non-zero when a test failed, a project did not build, no test ran at all, or a test hung (then named above that line).
# When PostgreSQL binaries exist (/usr/lib/postgresql/*/bin), a throw-away cluster is started (tools/pg-cluster.sh)
# and the storage, admin, gateway, telemetry, scale-out and key-policy tests run a second time with every test server on it.
# Last, the release binary (Native AOT) is published for this machine's architecture with tools/release.sh's own settings,
# smoke-checked (tools/release.sh --check), driven by the benchmark's smoke mode (bench/run.sh --quick) and deleted: a
# Native AOT binary can break where the dev build works.
set -uo pipefail
cd "$(dirname "$0")/.."

# The real clients (Claude Code, Codex, OpenAI and Anthropic Node SDKs) at the versions of package-lock.json.
# Reinstalled only when the lock file changed; no install scripts are needed (see tests/Keyway.Tests/RealClients/NodeClients.cs).
lock_stamp="tests/clients/node_modules/.installed-lock.sha256"
lock_sum="$(sha256sum tests/clients/package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$lock_stamp" 2>/dev/null)" != "$lock_sum" ]; then
  echo "installing tests/clients from package-lock.json (npm ci)"
  npm ci --prefix tests/clients --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$lock_stamp"
fi

# xunit has no per-test timeout here: a test that hangs would hold the run (and CI) until its own limit. VSTest's blame
# collector ends a test host once no test has started or finished for this long (an inactivity timer, so tests running
# beside a hung one finish first), fails the run and names the test in progress. The slowest tests took 14 s
# (tests/Keyway.Tests) and 28 s (tests/Keyway.UiTests) on a loaded 2-core machine.
hang_timeout=5m
blame=(--blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none)

results_dir="$(pwd)/TestResults"
rm -rf "$results_dir"
mkdir -p "$results_dir"

dotnet test Keyway.sln --configuration Release "${blame[@]}" --logger "trx" --results-directory "$results_dir" "$@"
test_exit=$?

pg_summary="PostgreSQL run skipped: no PostgreSQL binaries"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pg_dir="$(mktemp -d /tmp/keyway-pg-XXXXXX)"
  trap 'bash tools/pg-cluster.sh stop "$pg_dir"' EXIT
  if pg_admin="$(bash tools/pg-cluster.sh start "$pg_dir")"; then
    pg_results="$results_dir/postgres"
    KEYWAY_TEST_POSTGRES="$pg_admin" \
      dotnet test tests/Keyway.Tests --configuration Release --no-build "${blame[@]}" --logger "trx" --results-directory "$pg_results" \
      --filter "(FullyQualifiedName~Keyway.Tests.Storage|FullyQualifiedName~Keyway.Tests.Admin|FullyQualifiedName~Keyway.Tests.Gateway|FullyQualifiedName~Keyway.Tests.Telemetry|FullyQualifiedName~Keyway.Tests.ScaleOut|FullyQualifiedName~Keyway.Tests.Policy)&Storage!=SqliteFile"
    [ $? -eq 0 ] || test_exit=1
    pg_summary="PostgreSQL run included"
  else
    echo "could not start the PostgreSQL test cluster:"; cat "$pg_dir"/*.log 2>/dev/null
    test_exit=1
  fi
fi

case $(uname -m) in
  x86_64) release_rid=linux-x64 ;;
  aarch64) release_rid=linux-arm64 ;;
  *) release_rid="" ;;
esac
release_summary="release check skipped: no release build for $(uname -m)"
if [ -n "$release_rid" ]; then
  release_dir="$(mktemp -d /tmp/keyway-release-XXXXXX)"
  release_started=$SECONDS
  if bash tools/release.sh --rid "$release_rid" --out "$release_dir" --check --starts 0; then
    release_summary="release check of $release_rid passed in $((SECONDS - release_started)) s"
    # The benchmark's smoke mode drives the Native AOT binary the way clients do (both protocols, streams, a
    # translated route, the request log): trimmed-away code or a reflection path only fails there, never under JIT.
    if bash bench/run.sh --quick --with-clients --keyway-cmd "$release_dir/$release_rid/keyway"; then
      release_summary="$release_summary; bench --quick on it passed"
    else
      release_summary="$release_summary; bench --quick on it FAILED"
      test_exit=1
    fi
  else
    release_summary="release check of $release_rid FAILED"
    test_exit=1
  fi
  rm -rf "$release_dir"
fi

passed=0
failed=0
for trx in "$results_dir"/*.trx "$results_dir"/postgres/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# A test host that was ended (a hang, above) or crashed leaves a blame sequence file; its unfinished tests are the ones
# it was running then.
for sequence in "$results_dir"/*/Sequence_*.xml "$results_dir"/postgres/*/Sequence_*.xml; do
  [ -e "$sequence" ] || continue
  sed -n 's/.*<Test Name="\([^"]*\)".* Completed="False".*/\1/p' "$sequence" | while read -r hung; do
    echo "did not finish (hung past $hang_timeout, or its test host crashed): $hung"
  done
done

# The failed tests again, by name: dotnet test printed them far above, and a CI log may keep only its tail.
shopt -s nullglob
python3 tools/failed-tests.py "$results_dir"/*.trx "$results_dir"/postgres/*.trx
shopt -u nullglob

echo "($pg_summary; $release_summary)"
echo "$passed passed, $failed failed"
if [ "$test_exit" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
