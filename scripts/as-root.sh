#!/usr/bin/env bash
# Run a command as root: directly when we are root, through sudo when it is available.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then
    exec "$@"
elif command -v sudo >/dev/null 2>&1; then
    exec sudo "$@"
else
    echo "error: '$*' needs root and sudo is not available" >&2
    exit 1
fi
