#!/usr/bin/env bash
# Runs the service locally on the embedded defaults: Azurite (from the project's npm packages) for tables, queues and
# blobs, SQLite with demo data, managed download storage. Uses Azure Functions Core Tools (`func`) when it is on PATH,
# and otherwise the project's own local host (AudienceTrends.LocalHost), so it works offline on any machine that can
# build the project. Ctrl-C (or SIGTERM) stops everything it started and exits 0.
#
# Every customer route needs an account API key. Once the app is up, the script makes sure the `demo` account (which
# owns the demo data) has one, through the operator routes (Functions `Admin` level: no key locally). The first run
# creates the account and a key and keeps the key in the git-ignored .local/demo-api-key (mode 600); later runs check
# that the kept key still works and print it again, or create a new one when it does not (Azurite's data wiped). It
# prints `API key: <key>` and a curl line that sends it.
#
# Usage: scripts/run-local.sh [--port N]         (default: local.settings.json Host.LocalHttpPort, 7071)
# Azurite's ports: AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT (default 10000, 10001, 10002).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
key_file="$root/.local/demo-api-key"

port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="${2:-}"; shift 2 ;;
    *) echo "Unknown argument '$1'. Usage: scripts/run-local.sh [--port N]" >&2; exit 2 ;;
  esac
done
blob_port=${AZURITE_BLOB_PORT:-10000}
queue_port=${AZURITE_QUEUE_PORT:-10001}
table_port=${AZURITE_TABLE_PORT:-10002}

if [ ! -d node_modules/azurite ]; then
  echo "Installing Azurite from package-lock.json (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "Created local.settings.json from local.settings.sample.json."
fi

if [ -z "$port" ]; then
  port=$(node -e 'const s = require("./local.settings.json"); console.log((s.Host && s.Host.LocalHttpPort) || 7071)')
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
check_free() { # port, what uses it, how to choose another
  if port_in_use "$1"; then
    echo "Port $1 ($2) is already in use: another run of this script, an Azurite or a Functions host may still be running." >&2
    echo "Stop it (\`ss -ltnp 'sport = :$1'\` shows which process holds it), or choose another port: $3" >&2
    exit 1
  fi
}
check_free "$port" "the function app's HTTP port" "scripts/run-local.sh --port <n>"
check_free "$blob_port" "Azurite Blob" "AZURITE_BLOB_PORT=<n> scripts/run-local.sh"
check_free "$queue_port" "Azurite Queue" "AZURITE_QUEUE_PORT=<n> scripts/run-local.sh"
check_free "$table_port" "Azurite Table" "AZURITE_TABLE_PORT=<n> scripts/run-local.sh"

azurite_pid=""
app_pid=""
# The app first, then Azurite: functions still running when the app stops finish their storage calls against a live
# Azurite instead of retrying against a stopped one.
stop_all() {
  for pid in $app_pid $azurite_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  app_pid=""
  azurite_pid=""
}
trap 'echo "Stopping..."; stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

mkdir -p .azurite
node node_modules/azurite/dist/src/azurite.js --location .azurite --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --blobPort "$blob_port" --queuePort "$queue_port" --tablePort "$table_port" > .azurite/azurite.log 2>&1 &
azurite_pid=$!
for _ in $(seq 1 300); do
  if port_in_use "$blob_port" && port_in_use "$queue_port" && port_in_use "$table_port"; then break; fi
  if ! kill -0 "$azurite_pid" 2>/dev/null; then
    echo "Azurite stopped at start; its log (.azurite/azurite.log):" >&2; cat .azurite/azurite.log >&2; exit 1
  fi
  sleep 0.1
done
echo "Azurite started (blob $blob_port, queue $queue_port, table $table_port), data in .azurite/, log in .azurite/azurite.log."
if [ "$blob_port$queue_port$table_port" != "100001000110002" ]; then
  key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
fi

# No build servers left behind: everything this script starts, it stops.
build=(dotnet build --configuration Debug --verbosity quiet -consoleLoggerParameters:ErrorsOnly -nodeReuse:false -p:UseSharedCompilation=false)
func_bin=$(command -v func || true)
if [ -n "$func_bin" ]; then
  echo "Host: Azure Functions Core Tools ($func_bin). Building (NuGet restore included)..."
  "${build[@]}" AudienceTrends.Functions
  cd AudienceTrends.Functions/bin/Debug/net10.0
  "$func_bin" host start --port "$port" &
else
  echo "Host: AudienceTrends.LocalHost, the project's local host (Azure Functions Core Tools' func is not on PATH)."
  echo "Building (NuGet restore included)..."
  "${build[@]}" AudienceTrends.LocalHost
  cd AudienceTrends.LocalHost/bin/Debug/net10.0
  dotnet AudienceTrends.LocalHost.dll --port "$port" &
fi
app_pid=$!

for _ in $(seq 1 600); do
  if port_in_use "$port"; then break; fi
  if ! kill -0 "$app_pid" 2>/dev/null; then break; fi
  sleep 0.1
done

response=$(mktemp)
trap 'stop_all; rm -f "$response"' EXIT
# The status of a request to the app (its body is in $response), asked again while the host does not answer yet.
call() { # method path [curl arguments...]
  local method=$1 path=$2 status=000
  shift 2
  for _ in $(seq 1 600); do
    status=$(curl -s -o "$response" -w '%{http_code}' -X "$method" "$@" "http://localhost:$port$path" || true)
    if [ "$status" != 000 ] || ! kill -0 "$app_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$status"
}
refused() { # what, status
  echo "Could not $1 (HTTP $2):" >&2; cat "$response" >&2; echo >&2
  exit 1
}
# The demo account's key: the kept one when it still works, else a new one (and the account, on the first run).
demo_key() {
  local status kept
  # A host may listen before its functions are loaded (func answers 404 or 503 then): wait for an operator route.
  for _ in $(seq 1 600); do
    status=$(call GET /v2/accounts)
    if [ "$status" = 200 ] || ! kill -0 "$app_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  [ "$status" = 200 ] || refused "reach the operator route GET /v2/accounts" "$status"
  if [ -s "$key_file" ]; then
    kept=$(cat "$key_file")
    status=$(call GET "/v2/jobs?limit=1" -u "$kept:")
    if [ "$status" = 200 ]; then echo "$kept"; return; fi
    echo "The key kept in .local/demo-api-key does not work (HTTP $status; Azurite's data in .azurite/ wiped?): creating a new one." >&2
  fi
  status=$(call POST /v2/accounts -H "Content-Type: application/json" --data '{"id": "demo", "name": "Demo data"}')
  case "$status" in 201|409) ;; *) refused "create the demo account" "$status" ;; esac
  status=$(call POST /v2/accounts/demo/keys -H "Content-Type: application/json" --data '{"name": "run-local"}')
  [ "$status" = 201 ] || refused "create an API key for the demo account" "$status"
  mkdir -p "$root/.local"
  (umask 077; node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).key)' "$response" > "$key_file")
  chmod 600 "$key_file"
  cat "$key_file"
}
if port_in_use "$port"; then
  key=$(demo_key)
  cat <<MSG

The function app is running at http://localhost:$port (POST /v2/audiencetrendsexport, GET /v2/jobs).
Jobs page: http://localhost:$port/ui/ (open it in a browser and sign in with the API key below)
Every request sends the demo account's key (kept in .local/demo-api-key):
API key: $key
Try:
  KEY=$key
  curl -i -u "\$KEY:" -X POST http://localhost:$port/v2/audiencetrendsexport -H "Content-Type: application/json" --data @examples/ui-download.json
Ctrl-C stops it and Azurite.

MSG
fi

set +e
wait "$app_pid"
status=$?
set -e
app_pid=""
echo "The function app exited with status $status." >&2
exit "$status"
