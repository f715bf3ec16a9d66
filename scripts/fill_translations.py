"""Fill the catalogues' empty entries from a JSON file of translations.

Usage: python scripts/fill_translations.py translations.json

The JSON maps each msgid to its translations by catalogue language:
    {"Sign in": {"ar": "...", "zh_Hans": "...", "fr": "...", "ru": "...", "es": "..."}}
For a plural entry give a list of forms instead of a string. Only empty or
fuzzy entries are filled; existing translations are kept. Run `make messages`
before (to extract the msgids) and after (to compile).
"""

import json
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src/clearinghouse/locale"
LANGUAGES = ("ar", "zh_Hans", "fr", "ru", "es")


def fill(translations: dict) -> int:
    missing = 0
    for lang in LANGUAGES:
        path = LOCALE / lang / "LC_MESSAGES/django.po"
        catalogue = polib.pofile(str(path), wrapwidth=79)
        for entry in catalogue:
            if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
                continue
            given = translations.get(entry.msgid, {}).get(lang)
            if given is None:
                missing += 1
                print(f"{lang}: no translation for {entry.msgid!r}", file=sys.stderr)
                continue
            if entry.msgid_plural:
                forms = given if isinstance(given, list) else [given]
                count = len(entry.msgstr_plural) or 2
                entry.msgstr_plural = {
                    i: forms[min(i, len(forms) - 1)] for i in range(count)
                }
            else:
                entry.msgstr = given
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
        catalogue.save(str(path))
    return missing


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        sys.exit(1 if fill(json.load(handle)) else 0)
