#!/usr/bin/env bash
# A Debian package a test needs (no downloads other than Debian's work here): reports its version,
# or installs it when it is missing and this machine can (root + apt).
#   tools/setup_debian_package.sh <label> <package> <command> <what it is for>
set -euo pipefail
label=$1 package=$2 command=$3 purpose=$4
version() { "$command" --version 2>/dev/null | head -1 || true; "$command" -v 2>&1 | head -1 || true; }
found() { command -v "$command" >/dev/null 2>&1; }
if ! found && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[heupwijzer:$label] installing Debian's $package for $purpose ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$package" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$package" >/dev/null; }
  case "$package" in  # the tests start their own servers; the package's service stays off
    nginx|postgresql|redis-server|prometheus)
      systemctl disable --now "$package" >/dev/null 2>&1 || service "$package" stop >/dev/null 2>&1 || true ;;
  esac
fi
if found; then
  echo "[heupwijzer:$label] $(version | grep -m1 . || echo "$package")"
  exit 0
fi
echo "ERROR: $purpose needs $package. Install Debian's package: sudo apt-get install $package" >&2
exit 1
