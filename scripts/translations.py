#!/usr/bin/env python3
"""Keep the English catalogue in step with the code (the msgids are Vietnamese).

    .venv/bin/python scripts/translations.py missing          # what lacks English, as JSON
    .venv/bin/python scripts/translations.py apply FILE.json  # {"msgid": "English", …}

``missing`` runs the extraction and update that babel.cfg describes, then prints every entry
without an English text, or marked fuzzy, as a JSON object to fill in. ``apply`` writes the
texts of such an object into tracker/translations/en/LC_MESSAGES/messages.po and clears their
fuzzy flag; tests/test_language.py checks the result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tracker" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
PYBABEL = str(ROOT / ".venv" / "bin" / "pybabel")


def _read():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def _write(catalogue) -> None:
    with PO.open("wb") as fh:
        write_po(fh, catalogue, width=100, omit_header=False)


def missing() -> None:
    subprocess.run(
        [
            PYBABEL,
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(POT),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(
        [
            PYBABEL,
            "-q",
            "update",
            "-i",
            str(POT),
            "-d",
            str(TRANSLATIONS),
            "-l",
            "en",
            "--no-fuzzy-matching",
            "-w",
            "100",
        ],
        cwd=ROOT,
        check=True,
    )
    todo = {}
    for message in _read():
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        if not text or message.fuzzy:
            todo[key] = text or ""
    json.dump(todo, sys.stdout, ensure_ascii=False, indent=1)
    print()


def apply(path: str) -> None:
    texts = json.loads(Path(path).read_text(encoding="utf-8"))
    catalogue = _read()
    unknown = []
    for msgid, english in texts.items():
        message = catalogue.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = english
        message.flags.discard("fuzzy")
    _write(catalogue)
    if unknown:
        sys.exit(f"not in the catalogue (run `missing` first): {unknown}")


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["missing"]:
        missing()
    elif command == ["apply"] and len(sys.argv) == 3:
        apply(sys.argv[2])
    else:
        sys.exit(__doc__)
