"""Every failure's answer: an error page for people, the API's one error shape for programs.

Under /api/ every failure — a service's refusal, a malformed body, an unknown address, a
throttled sign-in, even a bug — answers ``{"error": code, "message": text, "fields": {...}}``
with the status that says what kind of failure it is, so an integrating system never
receives an HTML page. This is the only module that knows that shape. Elsewhere the person
gets a page in their language that says what happened and whether anything was saved.
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.errors import BusyError, ConflictError, IncompleteTaskError, TrackerError
from tracker.text import N_
from tracker.web.forms import FormRefused
from tracker.web.locale import select_locale
from tracker.web.requests import is_api_request
from tracker.web.transactions import (
    commit_outcome_unknown,
    database_unavailable,
    discard_transaction,
    end_transaction,
    is_transient,
)

logger = logging.getLogger(__name__)

# A stable code and a default message for each HTTP status the API answers with.
HTTP_ERRORS = {
    400: ("malformed", N_("Yêu cầu không đúng định dạng (JSON hoặc tham số không đọc được).")),
    401: ("unauthorized", N_("Cần mã truy cập hợp lệ (Authorization: Bearer <token>).")),
    403: ("forbidden", N_("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", N_("Không tìm thấy, hoặc bạn không có quyền xem.")),
    405: ("method_not_allowed", N_("Phương thức này không được hỗ trợ ở địa chỉ này.")),
    406: ("not_acceptable", N_("API chỉ trả lời bằng JSON.")),
    409: ("conflict", N_("Dữ liệu đã thay đổi; hãy đọc lại rồi thực hiện lại.")),
    413: ("too_large", N_("Nội dung gửi lên quá lớn.")),
    415: ("unsupported_media_type", N_("Nội dung phải là JSON (Content-Type: application/json).")),
    422: ("validation_error", N_("Dữ liệu chưa hợp lệ.")),
    429: ("throttled", N_("Thao tác quá nhiều lần. Vui lòng đợi rồi thử lại.")),
    500: ("server_error", N_("Hệ thống gặp sự cố; chưa có thay đổi nào được lưu.")),
    503: ("busy", N_("Hệ thống đang bận; chưa có thay đổi nào được lưu. Vui lòng gửi lại.")),
}


# webargs/marshmallow describe bad fields in English; people read them in their language.
_FIELD_MESSAGES = [
    (re.compile(r"Missing data for required field\."), N_("bắt buộc"), ()),
    (re.compile(r"Field may not be null\."), N_("không được để trống (null)"), ()),
    (re.compile(r"Unknown field\."), N_("trường không có trong mô tả API"), ()),
    (re.compile(r"Not a valid integer\."), N_("phải là số nguyên"), ()),
    (re.compile(r"Not a valid string\."), N_("phải là chuỗi ký tự"), ()),
    (re.compile(r"Not a valid boolean\."), N_("phải là true hoặc false"), ()),
    (re.compile(r"Not a valid date\."), N_("phải là ngày dạng YYYY-MM-DD"), ()),
    (re.compile(r"Not a valid list\."), N_("phải là một danh sách"), ()),
    (re.compile(r"Invalid input type\."), N_("sai kiểu dữ liệu"), ()),
    (re.compile(r"Invalid JSON body\."), N_("nội dung không phải JSON hợp lệ"), ()),
    (re.compile(r"Must be one of: (.*)\."), N_("phải là một trong: %(a)s"), ("a",)),
    (re.compile(r"Longer than maximum length (\d+)\."), N_("dài quá %(a)s ký tự"), ("a",)),
    (re.compile(r"Shorter than minimum length (\d+)\."), N_("cần ít nhất %(a)s ký tự"), ("a",)),
    (
        re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
        N_("phải từ %(a)s đến %(b)s"),
        ("a", "b"),
    ),
    (re.compile(r"Must be greater than or equal to (\S+)\."), N_("phải ≥ %(a)s"), ("a",)),
    (re.compile(r"Must be less than or equal to (\S+)\."), N_("phải ≤ %(a)s"), ("a",)),
]


def _in_words(message: str) -> str:
    """Return a parser's message in the reader's language (as given when unknown)."""
    for pattern, text, names in _FIELD_MESSAGES:
        found = pattern.fullmatch(message.strip())
        if found:
            return _(text, **dict(zip(names, found.groups(), strict=True)))
    return message


def error_response(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """Return the JSON error body with its status."""
    body = {"error": code, "message": message, "fields": fields or {}, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _flatten(messages, prefix: str = "") -> dict[str, str]:
    """Turn webargs' nested messages ({"json": {"milestones": {0: {...}}}}) into
    ``{"milestones.0.due_date": "…"}``."""
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            name = str(key) if key not in ("json", "query", "querystring", "form") else ""
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_": "; ".join(_in_words(m) for m in messages)}
    if isinstance(messages, list):
        flat = {}
        for index, value in enumerate(messages):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "_": _in_words(str(messages))}


def tracker_error_response(error: TrackerError):
    """A service's refusal, with its own status, code and fields."""
    extra = {"missing": error.missing} if isinstance(error, IncompleteTaskError) else {}
    return error_response(error.status, error.code, error.message, error.fields, **extra)


def http_error_response(error: HTTPException):
    """A refusal from routing, parsing or throttling, in the API's shape."""
    status = error.code or 500
    code, default = HTTP_ERRORS.get(status, HTTP_ERRORS[500] if status >= 500 else HTTP_ERRORS[400])
    data = getattr(error, "data", None) or {}
    fields = _flatten(data.get("messages", {})) if "messages" in data else {}
    message = _(default)
    if status == 422 and fields:
        message = _("Dữ liệu chưa hợp lệ: %(fields)s.", fields=", ".join(sorted(fields)))
    response = error_response(status, code, message, fields)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def unexpected_error_response():
    """A bug: logged with its traceback, answered without one."""
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    code, message = HTTP_ERRORS[500]
    return error_response(500, code, _(message))


# ------------------------------------------------------------------ the error pages

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
    discard_transaction()
    if is_api_request():
        return http_error_response(error)
    if error.code == 413:
        limit = request.max_content_length // (1024 * 1024) if request.max_content_length else 0
        return render_error(413, _("Tệp gửi lên vượt quá %(mb)s MB.", mb=limit))
    return render_error(error.code or 500)


def _handle_form_refused(error: FormRefused):
    # The refused block was undone; what the request did before it ends as a 422 does.
    end_transaction(error.code)
    return error.response


def _handle_csrf_error(error: CSRFError):
    discard_transaction()
    if is_api_request():
        return http_error_response(error)
    message = _(
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và gửi lại."
    )
    return render_error(400, message)


def _handle_tracker_error(error: TrackerError):
    discard_transaction()
    if is_api_request():
        return tracker_error_response(error)
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


def _handle_busy(error: sa.exc.DBAPIError):
    discard_transaction()
    logger.warning(
        "Database busy on %s %s: %s", request.method, request.path, str(error.orig).strip()
    )
    busy = BusyError(
        _("Hệ thống đang bận xử lý yêu cầu khác; chưa có thay đổi nào được lưu. Vui lòng thử lại.")
    )
    if is_api_request():
        response = tracker_error_response(busy)
    else:
        response = make_response(render_error(503, busy.message))
    response.headers["Retry-After"] = "1"
    return response


def _handle_unexpected(error: Exception):
    discard_transaction()
    if is_api_request():
        return unexpected_error_response()
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


# ------------------------------------------------------------------ the database is away

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


def _handle_database_error(error: sa.exc.SQLAlchemyError):
    """Busy (a lock or a deadlock: 503, try again at once), away (503, try again later), or
    a bug (500)."""
    if isinstance(error, sa.exc.DBAPIError) and is_transient(error):
        return _handle_busy(error)
    if database_unavailable(error):
        return _handle_unavailable(error)
    return _handle_unexpected(error)


def _handle_unavailable(error: sa.exc.SQLAlchemyError):
    unknown = commit_outcome_unknown()
    discard_transaction()
    logger.error(
        "Database unavailable on %s %s (%s): %s",
        request.method,
        request.path,
        "outcome unknown" if unknown else "nothing saved",
        # The driver's own words, without the statement's parameters (what people typed).
        getattr(error, "orig", None) or type(error).__name__,
    )
    message = _(OUTCOME_UNKNOWN if unknown else NOTHING_SAVED)
    if is_api_request():
        code = "outcome_unknown" if unknown else "database_unavailable"
        response = error_response(503, code, message)
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


def register_errors(app: Flask) -> None:
    """Give every failure its answer: the API's shape under /api/, a page elsewhere.
    Registered after the API, so these handlers replace flask-smorest's."""
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(FormRefused, _handle_form_refused)
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(TrackerError, _handle_tracker_error)
    app.register_error_handler(StaleDataError, _handle_stale)
    app.register_error_handler(sa.exc.SQLAlchemyError, _handle_database_error)
    app.register_error_handler(Exception, _handle_unexpected)
