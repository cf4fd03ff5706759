#!/usr/bin/env bash
# Re-extract the messages and update the catalogues, in the project's one width: --no-wrap
# (every msgid and msgstr on one line, so appended entries and merges do not conflict over
# re-wrapped lines). Then compile. Run from anywhere; uses the venv's pybabel (VENV=.venv).
#   scripts/update-translations.sh            extract + update + compile
# New entries arrive with an empty msgstr: translate them in
# app/translations/zh_Hans_CN/LC_MESSAGES/messages.po (one line each) and run it again (or
# scripts/compile-translations.sh). Nothing is fuzzy-matched: a guessed translation is never shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${VENV:-.venv}/bin"
"$bin/pybabel" extract -F babel.cfg -k _l -k lazy_gettext --no-wrap \
    --project Jianping --copyright-holder Jianping -o app/translations/messages.pot .
"$bin/pybabel" update -i app/translations/messages.pot -d app/translations --no-wrap --no-fuzzy-matching
VENV="${VENV:-.venv}" scripts/compile-translations.sh
