"""The password policy (ASVS V2.1) and how passwords are stored (V2.4).

One policy for every place a password is set: the password change, the admin's new-user
form and reset, ``tracker users create`` and the Excel import of users. It asks for length
only, never for a mix of character kinds (V2.1.9): at least 12 characters, up to 200 (so a
passphrase of 64 or more fits), any Unicode character, typed in any normal form; and it
refuses the passwords attackers try first — a breached or common one (offline lists in
``data/``, see its README) and one that contains the username.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from tracker.errors import ValidationError
from tracker.text import fold, nfc

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
# scrypt, N=2^15, r=8, p=3: one of the settings OWASP's Password Storage Cheat Sheet lists
# as equal to its minimum (N=2^17, p=1) in strength, with a quarter of the memory (32 MiB
# a hash, ~0.2 s here). Werkzeug's own default has p=1, a third of that work.
DEFAULT_HASH_METHOD = "scrypt:32768:8:3"
# A username shorter than this is too likely to occur by chance in a good password.
_MIN_USERNAME_IN_PASSWORD = 3

_DATA = Path(__file__).parent / "data"
# Digits, signs and spaces around a word: "Password@2026" is the word "password".
_AROUND_WORD = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def _refused_passwords() -> frozenset[str]:
    """Read the breached/common list and the local one once per process."""
    with gzip.open(_DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as fh:
        words = {line.strip() for line in fh}
    for line in (_DATA / "local-passwords.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.add(nfc(line.strip()).lower())
            words.add(fold(line))
    words.discard("")
    return frozenset(words)


def _forms_of(password: str) -> set[str]:
    """The password as an attacker's list would hold it: lower case, with and without
    diacritics, and without the digits or signs people add before or after a word."""
    lowered = nfc(password).strip().lower()
    forms = {lowered, fold(lowered)}
    forms |= {_AROUND_WORD.sub("", form) for form in list(forms)}
    forms.discard("")
    return forms


def is_common(password: str) -> bool:
    """Tell whether the password is a breached or common one, or built on one."""
    return not _forms_of(password).isdisjoint(_refused_passwords())


def check_password(password: str, *, username: str | None) -> None:
    """Refuse a password that breaks the policy, with a message saying what to change."""
    password = nfc(password or "")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("Mật khẩu cần ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH),
            code="password_too_short",
            fields={"password": _("quá ngắn")},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            _("Mật khẩu dài tối đa %(n)s ký tự.", n=MAX_PASSWORD_LENGTH),
            code="password_too_long",
            fields={"password": _("quá dài")},
        )
    name = (username or "").strip().lower()
    if len(name) >= _MIN_USERNAME_IN_PASSWORD and name in password.lower():
        raise ValidationError(
            _("Mật khẩu không được chứa tên đăng nhập."),
            code="password_contains_username",
            fields={"password": _("chứa tên đăng nhập")},
        )
    if is_common(password):
        raise ValidationError(
            _(
                "Mật khẩu này quá phổ biến hoặc đã bị lộ trong các vụ rò rỉ dữ liệu, kẻ gian "
                "sẽ thử nó đầu tiên. Hãy chọn mật khẩu khác, ví dụ một câu dài dễ nhớ."
            ),
            code="password_too_common",
            fields={"password": _("quá phổ biến")},
        )


def passes_policy(password: str, *, username: str | None) -> bool:
    """Tell whether a password (say, one just used to sign in) meets today's policy."""
    try:
        check_password(password, username=username)
    except ValidationError:
        return False
    return True


def hash_method() -> str:
    """Return the configured way of hashing (PASSWORD_HASH_METHOD), scrypt by default."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_HASH_METHOD
    return DEFAULT_HASH_METHOD


def hash_password(password: str, *, username: str | None = None, method: str | None = None) -> str:
    """Check the policy and return the password's salted hash (scrypt).

    ``username`` is the account's, for the "contains the username" rule; ``method`` is
    given by callers hashing outside the application context (the import's threads).
    """
    check_password(password, username=username)
    return generate_password_hash(nfc(password), method=method or hash_method())


@cache
def _full_method(method: str) -> str:
    """Return a method with every parameter written out ("scrypt" → "scrypt:32768:8:1"),
    as Werkzeug writes it at the start of each hash (hashing once per process to learn it)."""
    return generate_password_hash("", method=method).split("$", 1)[0]


def needs_rehash(stored_hash: str, method: str | None = None) -> bool:
    """Tell whether a stored hash was made with other parameters than today's."""
    return stored_hash.split("$", 1)[0] != _full_method(method or hash_method())
