#!/usr/bin/env bash
# The scale-out test puts Debian's nginx in front of two Rasa instances (deploy/nginx/).
# Installs the Debian package `nginx` when it is missing and this machine can (root + apt).
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  echo "[heupwijzer:nginx] $(/usr/sbin/nginx -v 2>&1 | head -1)"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[heupwijzer:nginx] installing Debian's nginx for the scale-out test ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nginx >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx >/dev/null; }
  systemctl disable --now nginx >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true
  echo "[heupwijzer:nginx] $(/usr/sbin/nginx -v 2>&1 | head -1)"
  exit 0
fi
echo "ERROR: the scale-out test needs nginx. Install Debian's package: sudo apt-get install nginx" >&2
exit 1
