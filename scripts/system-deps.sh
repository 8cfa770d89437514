#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, bubblewrap for the job sandbox.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing system packages: ${need[*]}" >&2
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
  else
    echo "WARNING: missing system packages ${need[*]} (install them with apt-get); dependent tests will skip" >&2
  fi
fi
