#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, from the project's own files:
# Debian packages for the real SFTP/FTP servers, the sqlite3 baseline and the browser the Jobs page's tests drive
# (chromium: Playwright is pointed at /usr/bin/chromium and never downloads a browser), the npm emulators from the
# committed lock file (Azurite, s3rver), and the NuGet packages of the solution.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(openssh-server vsftpd sqlite3 chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  # The tests run their own sshd and vsftpd on loopback ports; keep the packages from starting system services
  # (they would hold ports 21/22 the example tests use).
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee /usr/sbin/policy-rc.d >/dev/null
    $sudo_cmd chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$policy_added" ] || $sudo_cmd rm -f /usr/sbin/policy-rc.d
fi

if [ ! -d node_modules/azurite ] || [ ! -d node_modules/s3rver ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# Playwright's NuGet package carries its driver; the browser is Debian's chromium above, never a download.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet restore AudienceTrends.sln --verbosity quiet -nodeReuse:false
