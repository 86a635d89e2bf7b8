"""Vietnamese text helpers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from werkzeug.datastructures import ImmutableMultiDict

# đ/Đ are letters of their own, not a d with a mark, so NFD does not strip them.
_PLAIN = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Return text lowercased without diacritics, for matching: "Cải cách" → "cai cach".

    NFC and NFD input give the same result, so text typed on any system matches.
    """
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_PLAIN))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


# C0 controls but tab, line feed and carriage return; DEL; the C1 controls. No keyboard
# types them, PostgreSQL refuses NUL in text, and no Excel workbook may hold the others.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def nfc(text: str | None) -> str:
    """Return text as it is stored and displayed: composed (NFC), without control
    characters (tabs and line breaks stay)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text or ""))


def nfc_all(value: Any) -> Any:
    """Return the value with every string in it, keys included, as :func:`nfc` makes it
    (lists and dictionaries to any depth); other values as they are."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc_all(k): nfc_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_all(item) for item in value]
    return value


class NfcMultiDict(ImmutableMultiDict):
    """Form fields and query arguments as received, with their text in NFC.

    Some Mac and phone keyboards send Vietnamese decomposed (NFD: "a" + a combining
    mark); stored and compared as typed, "cải cách" from them would not be the same
    text as "cải cách" from Windows. The request hands every form and query value
    through here, so each page and service sees one form only. Uploaded files pass
    untouched.
    """

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, dict | ImmutableMultiDict) or hasattr(mapping, "items"):
            pairs = mapping.items(multi=True) if hasattr(mapping, "getlist") else mapping.items()
        else:
            pairs = mapping
        super().__init__([(nfc_all(key), nfc_all(value)) for key, value in pairs])


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark a message for translation where it is defined; it is translated where shown."""
    return message
