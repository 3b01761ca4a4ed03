#!/bin/sh
# Refresh the gettext catalogs of the web pages from the templates and the Python sources.
# Run from the repository root: web/update-translations.sh
# Then translate every empty msgstr in web/locale/id and web/locale/en, and run it again to compile.
set -eu
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"

"$PYBABEL" extract --no-location --sort-output -F web/babel.cfg -k N_ -o web/locale/messages.pot \
    --project=Himpun --copyright-holder="Himpun contributors" .
for locale in id en; do
    if [ -f "web/locale/$locale/LC_MESSAGES/messages.po" ]; then
        "$PYBABEL" update --no-fuzzy-matching -i web/locale/messages.pot -d web/locale -l "$locale"
    else
        "$PYBABEL" init -i web/locale/messages.pot -d web/locale -l "$locale"
    fi
done
"$PYBABEL" compile --statistics -d web/locale
