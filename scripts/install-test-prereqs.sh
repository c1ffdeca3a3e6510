#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, from the project's own files:
# Debian packages for the real SFTP/FTP servers and the sqlite3 baseline, the npm emulators from the
# committed lock file (Azurite, s3rver), and the NuGet packages of the solution.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(openssh-server vsftpd sqlite3)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The tests run their own sshd and vsftpd on loopback; never the system services.
command -v systemctl >/dev/null 2>&1 && { systemctl stop ssh vsftpd >/dev/null 2>&1 || true; }

if [ ! -d node_modules/azurite ] || [ ! -d node_modules/s3rver ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

dotnet restore AudienceTrends.sln --verbosity quiet
