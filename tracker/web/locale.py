"""The interface's language: Vietnamese first, English on request, for pages, API answers
and WTForms' own messages."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import support
from flask import Flask, has_request_context, request, session
from flask_babel import get_locale
from wtforms.i18n import messages_path

from tracker.web.requests import is_api_request

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

_TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    """Use the language the person chose, Vietnamese by default (and outside requests:
    commands, the scheduler and the e-mails they write are Vietnamese)."""
    if not has_request_context():
        return "vi"
    if is_api_request():
        # Programs have no session: they ask with Accept-Language.
        return request.accept_languages.best_match(LANGUAGES) or "vi"
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "vi"


@cache
def _wtforms_catalogue(locale: str) -> support.Translations | support.NullTranslations:
    if locale == "vi":
        # WTForms ships no Vietnamese; ours is in tracker/translations/vi (domain "wtforms").
        return support.Translations.load(str(_TRANSLATIONS_DIR), ["vi"], domain="wtforms")
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _wtforms_language() -> None:
    """Give the built-in form messages ("This field is required."…) the page's language.

    Flask-WTF looks for the request's WTForms catalogue on ``request.wtforms_translations``
    before loading WTForms' own, which has no Vietnamese; tests/test_language.py checks
    that the messages really come out in Vietnamese.
    """
    request.wtforms_translations = _wtforms_catalogue(str(get_locale()))


def register_locale(app: Flask) -> None:
    """Give WTForms' messages the language of each request."""
    app.before_request(_wtforms_language)
