#!/usr/bin/env bash
# Benchmarks the real export (SQLite -> CSV -> managed Blob storage on Azurite) against the sqlite3 tool plus a
# plain SDK upload, at 100x365, 2000x365 and 10000x730 (audiences x days) or the sizes given, and prints one table.
# Figures only: a missed target prints MISS; the exit code is non-zero only when something actually failed.
# Usage: scripts/benchmark.sh [<audiences>x<days> ...]    e.g. scripts/benchmark.sh 100x365 2000x365
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-prereqs.sh

dotnet build scripts/benchmark/AudienceTrends.Benchmark.csproj --configuration Release --no-restore --verbosity quiet --nologo
exec scripts/benchmark/bin/Release/net10.0/AudienceTrends.Benchmark "$@"
