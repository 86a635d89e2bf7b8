"""Vietnamese text helpers."""

from __future__ import annotations

import unicodedata

# đ/Đ are letters of their own, not a d with a mark, so NFD does not strip them.
_PLAIN = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Return text lowercased without diacritics, for matching: "Cải cách" → "cai cach".

    NFC and NFD input give the same result, so text typed on any system matches.
    """
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_PLAIN))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def nfc(text: str | None) -> str:
    """Return text in the composed Unicode form (NFC) that is stored and displayed."""
    return unicodedata.normalize("NFC", text or "")


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark a message for translation where it is defined; it is translated where shown."""
    return message
