#!/usr/bin/env bash
# The browser test drives Debian's Chromium with Playwright (no browser downloads work here).
# Installs the Debian package `chromium` when it is missing and this machine can (root + apt).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "[heupwijzer:browser] $(chromium --version 2>/dev/null | head -1)"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[heupwijzer:browser] installing Debian's chromium for the browser test ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
  echo "[heupwijzer:browser] $(chromium --version 2>/dev/null | head -1)"
  exit 0
fi
echo "ERROR: the browser test needs Chromium. Install Debian's package: sudo apt-get install chromium" >&2
exit 1
