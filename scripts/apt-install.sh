#!/usr/bin/env bash
# Install Debian packages non-interactively (as root, or through sudo).
# Usage: scripts/apt-install.sh PACKAGE...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
echo "==> apt-get install $*"
"$here/as-root.sh" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"$here/as-root.sh" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
