#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright;
# no Playwright browser download is ever used.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x /usr/bin/chromium ]; then
    "$here/apt-install.sh" chromium
fi
if [ ! -x /usr/bin/chromium ]; then
    echo "error: /usr/bin/chromium is still missing after installing the chromium package" >&2
    exit 1
fi
