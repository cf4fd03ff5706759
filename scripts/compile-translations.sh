#!/usr/bin/env bash
# Compile the gettext catalogues (app/translations/*/LC_MESSAGES/*.po -> .mo).
# Nothing to do (and no failure) while there are no catalogues yet.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${VENV:-.venv}/bin"
shopt -s nullglob
catalogues=(app/translations/*/LC_MESSAGES/*.po)
if [ ${#catalogues[@]} -eq 0 ]; then
    echo "==> no translation catalogues yet (app/translations/*/LC_MESSAGES/*.po); skipping pybabel compile"
    exit 0
fi
"$bin/pybabel" compile -d app/translations
