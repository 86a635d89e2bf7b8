"""What every page shares: language, formats, security headers and error pages."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from babel import support
from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_app_context,
    has_request_context,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Request
from wtforms import FieldList
from wtforms.i18n import messages_path

from tracker.api import errors as api_errors
from tracker.clock import local_zone
from tracker.errors import (
    BusyError,
    ConflictError,
    StorageUnavailable,
    TrackerError,
    ValidationError,
)
from tracker.extensions import db
from tracker.text import N_, NfcMultiDict

logger = logging.getLogger(__name__)

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

# No inline scripts or styles anywhere: everything comes from the app's own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class NfcRequest(Request):
    """A request whose form fields and query arguments are in NFC (JSON bodies are made
    NFC by the API's parser, Excel cells by the importer): text enters in one form."""

    parameter_storage_class = NfcMultiDict


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


def nearby_pages(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page numbers a pager shows: the first, the last and those around this
    one, with None where pages are left out (…)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


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
    # A full disk is nothing the person can fix in the form: the banner says what happened.
    fixable = not isinstance(error, StorageUnavailable)
    for name, reason in error.fields.items():
        field = form._fields.get((aliases or {}).get(name, name))
        if field is not None and not isinstance(field, FieldList):
            message = error.message if len(error.fields) == 1 and fixable else reason
            field.errors = [*field.errors, message]
            placed = True
    if placed and len(error.fields) == 1 and fixable:
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
    503: (
        N_("Tạm thời chưa phục vụ được"),
        N_(
            "Hệ thống đang bận hoặc một phần của hệ thống tạm thời không trả lời; chưa có thay "
            "đổi nào được lưu. Vui lòng thử lại sau ít phút."
        ),
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


def _handle_stale(error: StaleDataError):
    """A versioned row (a task) changed between this request's read and its write, and
    the change surfaced in a flush the service did not expect: the other person won."""
    logger.info("Stale write on %s %s: %s", request.method, request.path, error)
    return _handle_tracker_error(
        ConflictError(
            _("Nhiệm vụ vừa được người khác thay đổi. Hãy tải lại trang và thực hiện lại.")
        )
    )


# Lock and serialisation failures of PostgreSQL: another transaction won; trying again works.
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}
_TRANSIENT_SQLITE = ("database is locked", "database table is locked", "database is busy")


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """Tell whether a database error only means "busy now" (a lock not granted in time,
    a deadlock or serialisation failure), as opposed to a bug or a broken database."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _TRANSIENT_SQLSTATES:
        return True
    return isinstance(error.orig, sqlite3.OperationalError) and any(
        text in str(error.orig) for text in _TRANSIENT_SQLITE
    )


def _handle_busy(error: sa.exc.DBAPIError):
    db.session.rollback()
    logger.warning(
        "Database busy on %s %s: %s", request.method, request.path, str(error.orig).strip()
    )
    busy = BusyError(
        _("Hệ thống đang bận xử lý yêu cầu khác; chưa có thay đổi nào được lưu. Vui lòng thử lại.")
    )
    if api_errors.is_api_request():
        response = api_errors.tracker_error_response(busy)
    else:
        response = make_response(render_error(503, busy.message))
    response.headers["Retry-After"] = "1"
    return response


def _handle_unexpected(error: Exception):
    _discard_transaction()
    if api_errors.is_api_request():
        return api_errors.unexpected_error_response()
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


# ------------------------------------------------------------------ the database is away

_COMMIT_SENT = "tracker_commit_sent"  # on ``g``: a COMMIT went out and did not come back
RETRY_AFTER_SECONDS = 30

UNAVAILABLE_TITLE = N_("Tạm thời không truy cập được dữ liệu")
NOTHING_SAVED = N_(
    "Cơ sở dữ liệu tạm thời không trả lời (mất kết nối hoặc quá tải). "
    "Chưa có thay đổi nào được lưu; vui lòng thử lại sau ít phút."
)
OUTCOME_UNKNOWN = N_(
    "Mất kết nối tới cơ sở dữ liệu đúng lúc đang lưu, nên chưa biết thay đổi đã được lưu "
    "hay chưa. Hãy tải lại trang để kiểm tra trước khi gửi lại."
)


def database_unavailable(error: BaseException) -> bool:
    """Tell whether an error means the database could not be reached or dropped us,
    rather than a bug or a broken rule: the same request may succeed a moment later."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.exc.OperationalError) and _sqlite_error(error):
        # SQLite reports its bugs' errors ("no such column") the same way as its faults.
        return any(fault in str(error.orig).lower() for fault in SQLITE_FAULTS)
    return isinstance(
        error,
        sa.exc.OperationalError
        | sa.exc.InterfaceError
        | sa.exc.DisconnectionError
        | sa.exc.TimeoutError,
    )


# What SQLite says when its file cannot be used for a while (the disk, the mount).
SQLITE_FAULTS = ("disk i/o error", "unable to open database", "database or disk is full")


def _sqlite_error(error: sa.exc.DBAPIError) -> bool:
    return type(error.orig).__module__.startswith("sqlite3")


def _commit_sent(conn) -> None:
    # The last moment before the database decides: from here on, a lost connection
    # leaves the outcome unknown to us.
    if has_app_context():
        setattr(g, _COMMIT_SENT, True)


def _commit_returned(session) -> None:
    if has_app_context():
        g.pop(_COMMIT_SENT, None)


def _forget_commit() -> None:
    g.pop(_COMMIT_SENT, None)


def _discard_transaction() -> None:
    """Roll back what the request did; a connection that is gone is simply dropped."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()


def _handle_database_error(error: sa.exc.SQLAlchemyError):
    """Busy (a lock or a deadlock: 503, try again at once), away (503, try again later), or
    a bug (500)."""
    if isinstance(error, sa.exc.DBAPIError) and is_transient(error):
        return _handle_busy(error)
    if database_unavailable(error):
        return _handle_unavailable(error)
    return _handle_unexpected(error)


def _handle_unavailable(error: sa.exc.SQLAlchemyError):
    unknown = bool(g.pop(_COMMIT_SENT, False))
    _discard_transaction()
    logger.error(
        "Database unavailable on %s %s (%s): %s",
        request.method,
        request.path,
        "outcome unknown" if unknown else "nothing saved",
        # The driver's own words, without the statement's parameters (what people typed).
        getattr(error, "orig", None) or type(error).__name__,
    )
    message = _(OUTCOME_UNKNOWN if unknown else NOTHING_SAVED)
    if api_errors.is_api_request():
        code = "outcome_unknown" if unknown else "database_unavailable"
        response = api_errors.error_response(503, code, message)
    else:
        # Rendered without the context processors, which would ask the database for the
        # bell and the menu: this page must come out while the database is away.
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            title=_(UNAVAILABLE_TITLE),
            message=message,
            current_locale=select_locale(),
            resubmit=request.method == "POST",
        )
        response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _template_context() -> dict:
    return {"languages": LANGUAGES, "current_locale": select_locale(), "user": current_user}


def register_pages(app: Flask) -> None:
    """Wire up error pages, security headers, date formats and the template context."""
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(TrackerError, _handle_tracker_error)
    app.register_error_handler(StaleDataError, _handle_stale)
    app.register_error_handler(sa.exc.SQLAlchemyError, _handle_database_error)
    app.register_error_handler(Exception, _handle_unexpected)
    if not sa.event.contains(sa.Engine, "commit", _commit_sent):
        sa.event.listen(sa.Engine, "commit", _commit_sent)
        sa.event.listen(sa.orm.Session, "after_commit", _commit_returned)
    app.before_request(_forget_commit)
    app.before_request(_wtforms_language)
    app.after_request(_security_headers)
    app.add_template_global(nearby_pages)
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.context_processor(_template_context)
