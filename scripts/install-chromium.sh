#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (Playwright drives it; no browser download).
# Without root or apt-get this only warns: the browser tests then skip with a reason.
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    && echo "installed $(chromium --version)" && exit 0
fi
echo "warning: chromium is not installed; browser tests will be skipped (sudo apt-get install chromium)" >&2
exit 0
