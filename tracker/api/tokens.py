"""Signing in: a username and password give a token that expires."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from tracker.api.access import saved
from tracker.api.errors import error_response
from tracker.api.parsing import Blueprint
from tracker.api.schemas import TokenRequest, TokenResponse
from tracker.auth.services import authenticate
from tracker.auth.tokens import sign_in_token
from tracker.clock import utcnow
from tracker.extensions import limiter

blp = Blueprint("Tokens", __name__, description="Đăng nhập: lấy mã truy cập (token)")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/tokens", methods=["POST"])
# The same throttle as the sign-in page; only failed attempts count.
@limiter.limit(_login_limit, deduct_when=lambda response: response.status_code != 201)
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.doc(security=[])
def create_token(credentials: dict):
    """Đổi tên đăng nhập và mật khẩu lấy mã truy cập (hết hạn sau API_TOKEN_HOURS giờ)."""
    user = authenticate(credentials["username"], credentials["password"])
    if user is None:
        return error_response(
            401,
            "invalid_credentials",
            _("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khoá."),
        )
    token, expires_at = sign_in_token(user, now=utcnow())
    return saved({"token": token, "expires_at": expires_at})
