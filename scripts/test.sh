#!/usr/bin/env bash
# Runs every test against real servers (Azurite, SQLite, sshd, vsftpd, s3rver) that the tests start themselves.
# Usage: scripts/test.sh [--fast] [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Sftp]
#   --fast  only the tests that start no external process (no sshd, vsftpd, s3rver, build, Bicep CLI or
#           run-local.sh; the run-wide in-memory Azurite is used): the category Processes is left out. Combines with
#           a --filter of your own (both must match).
set -euo pipefail
cd "$(dirname "$0")/.."

fast_filter="TestCategory!=Processes"
fast=false
user_filter=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) fast=true ;;
    --filter) [ $# -ge 2 ] || { echo "--filter needs an expression" >&2; exit 2; }; user_filter="$2"; shift ;;
    --filter=*) user_filter="${1#--filter=}" ;;
    *) args+=("$1") ;;
  esac
  shift
done
if $fast; then
  # The tests refuse to start a server in this lane: a test that needs one but is not in the category fails, naming it.
  export AUDIENCETRENDS_FAST_LANE=1
  if [ -n "$user_filter" ]; then user_filter="($user_filter)&$fast_filter"; else user_filter="$fast_filter"; fi
fi
if [ -n "$user_filter" ]; then args+=(--filter "$user_filter"); fi
# The run's temp files (the tests', the restore's and the .NET toolchain's) go to a folder of its own, deleted at the end, and the
# build leaves no build servers behind: after the run no temp folder, process or port of it remains. 755: the SFTP/FTP
# servers' users traverse it.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/audiencetrends-test-XXXXXX")
chmod 755 "$run_tmp"
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR="$run_tmp"

scripts/install-test-prereqs.sh

results=".artifacts/test-results"
rm -rf "$results"
set +e
dotnet test AudienceTrends.sln --configuration Release --no-restore -nodeReuse:false -p:UseSharedCompilation=false \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$results" ${args[@]+"${args[@]}"}
status=$?
set -e

# One plain closing line with the counts, read from the TRX the run wrote.
trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -n "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o "$1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
  skipped=$((total - executed))
  echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
  if [ "${skipped}" -ne 0 ]; then
    echo "Skipped tests are not allowed: every test must run." >&2
    status=1
  fi
  if [ "${executed:-0}" -eq 0 ]; then
    echo "No test ran." >&2
    status=1
  fi
fi
exit $status
