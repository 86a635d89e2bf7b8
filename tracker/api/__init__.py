"""The versioned JSON API (/api/v1) and its OpenAPI description, built with flask-smorest.

Endpoints are thin: they parse and validate with the schemas in ``schemas.py``, call the
same services and permission rules as the web pages, and answer in JSON.
"""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api

from tracker.api.parsing import MAX_BODY_BYTES
from tracker.api.schemas.common import Error
from tracker.web.requests import is_api_request


class TrackerApi(Api):
    # Documented for every error response: the body really sent (see web/errors.py).
    ERROR_SCHEMA = Error


api = TrackerApi(
    spec_kwargs={
        "info": {
            "description": (
                "Giao, theo dõi và đánh giá nhiệm vụ theo nguyên tắc “5 rõ”. "
                "Gửi `Authorization: Bearer <token>`; lấy mã bằng `POST /api/v1/tokens` "
                "hoặc tạo mã cá nhân ở trang Hồ sơ. Ngày theo dạng YYYY-MM-DD, thời điểm "
                "theo ISO 8601 (UTC). Lỗi luôn có dạng "
                '`{"error": mã, "message": nội dung, "fields": {...}}`.'
            )
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    }
)


def _limit_api_bodies() -> None:
    if is_api_request():
        request.max_content_length = MAX_BODY_BYTES


def init_api(app: Flask) -> None:
    """Mount the API, its description and its reference page."""
    from tracker.api import docs, follow, org, series, tasks, templates, tokens
    from tracker.extensions import csrf

    api.init_app(app)
    app.before_request(_limit_api_bodies)
    for module in (tokens, org, tasks, series, templates, follow):
        # Programs authenticate with a bearer token, never with the session cookie,
        # so a forged cross-site form cannot act through the API: no CSRF token needed.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix="/api/v1")
    app.register_blueprint(docs.bp)
