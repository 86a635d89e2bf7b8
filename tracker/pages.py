"""What every page shares: language, formats, security headers and error pages."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from babel import support
from flask import (
    Flask,
    current_app,
    flash,
    has_request_context,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from wtforms import FieldList
from wtforms.i18n import messages_path

from tracker.api import errors as api_errors
from tracker.clock import local_zone
from tracker.errors import TrackerError, ValidationError
from tracker.extensions import db
from tracker.text import N_

logger = logging.getLogger(__name__)

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

# No inline scripts or styles anywhere: everything comes from the app's own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


# HSTS (ASVS V14.4.5), in production only: a year, subdomains included.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirect
    after sign-in or a language switch, ASVS V5.1.5).

    Browsers read "//host", "/\\host", "///host" and such with tabs or newlines inside as
    another site, and Werkzeug has already decoded %2F and %5C: so only a path that starts
    with one "/" followed by something else than a slash or a backslash, with no backslash
    or control character anywhere, is followed.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return default
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every address: numbers beyond a 32-bit id cannot name a row, so they
    are a 404 like any unknown id rather than an overflow in the database driver."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's parameter name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def select_locale() -> str:
    """Use the language the person chose, Vietnamese by default (and outside requests:
    commands, the scheduler and the e-mails they write are Vietnamese)."""
    if not has_request_context():
        return "vi"
    if api_errors.is_api_request():
        # Programs have no session: they ask with Accept-Language.
        return request.accept_languages.best_match(LANGUAGES) or "vi"
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "vi"


def format_day(value: date | datetime | None) -> str:
    """Format a date the Vietnamese way: dd/mm/yyyy (an instant in local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(local_zone()).date()
    return value.strftime("%d/%m/%Y")


def format_moment(value: datetime | None) -> str:
    """Format an instant in local time: dd/mm/yyyy HH:MM."""
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime("%d/%m/%Y %H:%M")


def show_form_errors(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a refusal next to the fields it names; flash it when no field can show it.

    ``aliases`` maps a service's field name to the form's where they differ. List fields
    (rows of coordinating units, milestones) cannot hold a message; the flash says it.
    """
    placed = False
    for name, reason in error.fields.items():
        field = form._fields.get((aliases or {}).get(name, name))
        if field is not None and not isinstance(field, FieldList):
            message = error.message if len(error.fields) == 1 else reason
            field.errors = [*field.errors, message]
            placed = True
    if placed and len(error.fields) == 1:
        flash(_("Chưa lưu được. Hãy sửa nội dung được đánh dấu bên dưới."), "danger")
    else:
        flash(error.message, "danger")


def form_status() -> int:
    """Answer 422 to a form posted with invalid input, 200 to a plain GET."""
    return 422 if request.method == "POST" else 200


_TRANSLATIONS_DIR = Path(__file__).parent / "translations"


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


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("TRACKER_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if not (request.endpoint or "").endswith("static"):
        # Pages show what only their reader may see: no copy in a cache or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


ERROR_TEXTS = {
    400: (N_("Yêu cầu không hợp lệ"), N_("Yêu cầu gửi lên không đúng. Hãy quay lại và thử lại.")),
    403: (N_("Không có quyền"), N_("Bạn không có quyền thực hiện thao tác này.")),
    404: (
        N_("Không tìm thấy"),
        N_("Trang hoặc nhiệm vụ bạn tìm không tồn tại, hoặc bạn không có quyền xem."),
    ),
    405: (N_("Không được phép"), N_("Thao tác này không được hỗ trợ ở địa chỉ này.")),
    409: (
        N_("Dữ liệu đã thay đổi"),
        N_("Nhiệm vụ vừa được người khác thay đổi. Hãy tải lại trang."),
    ),
    413: (N_("Tệp quá lớn"), N_("Tệp gửi lên vượt quá dung lượng cho phép.")),
    422: (N_("Dữ liệu chưa hợp lệ"), N_("Dữ liệu nhập chưa hợp lệ.")),
    429: (
        N_("Thao tác quá nhiều lần"),
        N_("Bạn đã thử quá nhiều lần. Vui lòng đợi ít phút rồi thử lại."),
    ),
    500: (
        N_("Lỗi hệ thống"),
        N_("Hệ thống gặp sự cố. Chưa có thay đổi nào được lưu; vui lòng thử lại sau."),
    ),
}


def render_error(status: int, message: str | None = None):
    """Render the error page for a status, in the person's language."""
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    return render_template(
        "errors/error.html", status=status, title=_(title), message=message or _(text)
    ), status


def _handle_http_error(error: HTTPException):
    db.session.rollback()
    if api_errors.is_api_request():
        return api_errors.http_error_response(error)
    if error.code == 413:
        limit = request.max_content_length // (1024 * 1024) if request.max_content_length else 0
        return render_error(413, _("Tệp gửi lên vượt quá %(mb)s MB.", mb=limit))
    return render_error(error.code or 500)


def _handle_csrf_error(error: CSRFError):
    db.session.rollback()
    if api_errors.is_api_request():
        return api_errors.http_error_response(error)
    message = _(
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và gửi lại."
    )
    return render_error(400, message)


def _handle_tracker_error(error: TrackerError):
    db.session.rollback()
    if api_errors.is_api_request():
        return api_errors.tracker_error_response(error)
    return render_error(error.status, error.message)


def _handle_unexpected(error: Exception):
    db.session.rollback()
    if api_errors.is_api_request():
        return api_errors.unexpected_error_response()
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def _template_context() -> dict:
    return {"languages": LANGUAGES, "current_locale": select_locale(), "user": current_user}


def register_pages(app: Flask) -> None:
    """Wire up error pages, security headers, date formats and the template context."""
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(TrackerError, _handle_tracker_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.before_request(_wtforms_language)
    app.after_request(_security_headers)
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.context_processor(_template_context)
