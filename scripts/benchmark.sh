#!/usr/bin/env bash
# Benchmarks the real export (SQLite -> CSV, and long CSV, JSON Lines, Parquet -> managed Blob storage on Azurite) against the sqlite3 tool plus a
# plain SDK upload, at 100x365, 1000x366 and 10000x730 (audiences x days) or the sizes given, N runs each (default 3,
# interleaved), with the export's phases; then 1,000 intake creates at 64 concurrent from 64 accounts against the three storage requests each must make.
# Figures only: a missed target prints MISS; the exit code is non-zero only when something actually failed.
# --schedules instead: 10,000 schedules, 1,000 due in the same minute, one scheduler pass through the app's DI (time
# until the 1,000 jobs are queued, storage requests per slot by table and queue).
# Usage: scripts/benchmark.sh [--runs N] [--formats csv-long,jsonl,parquet] [<audiences>x<days> ...]    e.g. scripts/benchmark.sh --runs 5 1000x366;  scripts/benchmark.sh --schedules
# (every format by default; csv-wide, the reference, is always measured: it is the formats' yardstick)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-prereqs.sh

dotnet build scripts/benchmark/AudienceTrends.Benchmark.csproj --configuration Release --no-restore --verbosity quiet --nologo
exec scripts/benchmark/bin/Release/net10.0/AudienceTrends.Benchmark "$@"
