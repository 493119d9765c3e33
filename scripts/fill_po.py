"""Fill the Chinese catalog from locale/sources/*.json (msgid -> msgstr; one file per app).

Usage: make messages  (runs makemessages, this script, then compilemessages).
The JSON is the reviewed source of the translations; untranslated msgids are listed
so that a missing translation is noticed rather than shipped silently.
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ROOT / "locale" / "sources"


def main() -> int:
    translations: dict[str, str] = {}
    for source in sorted(SOURCES.glob("*.json")):
        translations.update(json.loads(source.read_text(encoding="utf-8")))
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        value = translations.get(entry.msgid)
        if value is None:
            if "fuzzy" in entry.flags or (not entry.msgstr and not entry.msgstr_plural.get(0)):
                missing.append(entry.msgid)  # a fuzzy guess is not a reviewed translation
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: value if isinstance(value, str) else value[0]}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
