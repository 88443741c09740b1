#!/usr/bin/env bash
# Installs Debian's chromium package for the end-to-end tests when /usr/bin/chromium is missing (playwright-core
# drives it and never downloads a browser of its own). Non-interactive; needs root, as on CI and dev machines.
# Prints the browser's path. Set CHROMIUM_PATH to use another Chromium and skip the install.
set -euo pipefail

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "${CHROMIUM_PATH}" ]] || { echo "install-chromium: CHROMIUM_PATH=${CHROMIUM_PATH} is not executable" >&2; exit 1; }
  echo "${CHROMIUM_PATH}"
  exit 0
fi

# Chinese text needs a CJK font, or every screenshot shows empty boxes.
if [[ ! -x /usr/bin/chromium ]] || ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then
  if [[ "$(id -u)" != 0 ]]; then
    echo "install-chromium: chromium or fonts-noto-cjk is missing; run as root (apt-get install -y chromium fonts-noto-cjk)" >&2
    exit 1
  fi
  echo "install-chromium: installing Debian's chromium and fonts-noto-cjk packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run (a parallel session) may hold the lock: wait for it rather than fail.
  apt_get() { apt-get -o DPkg::Lock::Timeout=600 -y -q "$@" >&2; }
  apt_get update
  apt_get install --no-install-recommends chromium fonts-noto-cjk
fi

/usr/bin/chromium --version >&2
echo /usr/bin/chromium
