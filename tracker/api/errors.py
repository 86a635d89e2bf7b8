"""The API's one error shape: ``{"error": code, "message": text, "fields": {...}}``.

Every failure under /api/ — a service's refusal, a malformed body, an unknown address,
a throttled sign-in, even a bug — answers in this shape with the status that says what
kind of failure it is, so an integrating system never receives an HTML page.
"""

from __future__ import annotations

import logging
import re

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from tracker.errors import IncompleteTaskError, TrackerError
from tracker.text import N_

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

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


def is_api_request() -> bool:
    """Tell whether the current request is addressed to the API."""
    return request.path.startswith(API_PREFIX)


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
