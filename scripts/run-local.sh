#!/usr/bin/env bash
# Runs the service locally on the embedded defaults: Azurite (from the project's npm packages) for tables, queues
# and blobs, SQLite with demo data, managed download storage. Needs Azure Functions Core Tools (`func`); installs it
# from npm into the project when missing, and says so plainly and stops when that cannot be done.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ ! -d node_modules/azurite ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "Created local.settings.json from local.settings.sample.json."
fi

func_bin=$(command -v func || true)
if [ -z "$func_bin" ] && [ -x node_modules/.bin/func ] && node_modules/.bin/func --version >/dev/null 2>&1; then
  func_bin="$root/node_modules/.bin/func"
fi
if [ -z "$func_bin" ]; then
  echo "Azure Functions Core Tools (func) is not installed; installing it into the project from npm..."
  if npm install --no-save --no-audit --no-fund --loglevel=error azure-functions-core-tools@4 && [ -x node_modules/.bin/func ] \
     && node_modules/.bin/func --version >/dev/null 2>&1; then
    func_bin="$root/node_modules/.bin/func"
  else
    cat >&2 <<'MSG'

Azure Functions Core Tools could not be installed. Its npm package downloads the Functions host from Microsoft's
download servers during installation, and this machine cannot reach them (no internet access?).
Install Core Tools v4 by another route (https://learn.microsoft.com/azure/azure-functions/functions-run-local),
make sure `func` is on PATH, and run this script again. The tests do not need it: scripts/test.sh runs the app
in a stand-in host.
MSG
    exit 1
  fi
fi

mkdir -p .azurite
node node_modules/azurite/dist/src/azurite.js --location .azurite --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 > .azurite/azurite.log 2>&1 &
azurite_pid=$!
trap 'kill $azurite_pid 2>/dev/null || true' EXIT
echo "Azurite started (blob 10000, queue 10001, table 10002), log in .azurite/azurite.log."

dotnet build AudienceTrends.Functions --configuration Debug --verbosity quiet
cd AudienceTrends.Functions/bin/Debug/net10.0
echo "Starting the function app on http://localhost:7071 (POST /v2/audiencetrendsexport, GET /v2/jobs)."
"$func_bin" host start --port 7071
