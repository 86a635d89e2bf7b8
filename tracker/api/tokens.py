"""Signing in: a username and password give a token that expires."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.api.access import saved
from tracker.api.parsing import Blueprint
from tracker.api.schemas.tokens import TokenRequest, TokenResponse
from tracker.auth.limits import login_limits
from tracker.auth.services import authenticate
from tracker.auth.tokens import sign_in_token
from tracker.clock import utcnow
from tracker.web.errors import error_response
from tracker.web.transactions import keep_changes

blp = Blueprint("Tokens", __name__, description="Đăng nhập: lấy mã truy cập (token)")


@blp.route("/tokens", methods=["POST"])
# The sign-in page's throttle, shared with it: failed attempts per address and per username.
@login_limits(success_status=201)
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.doc(security=[])
def create_token(credentials: dict):
    """Đổi tên đăng nhập và mật khẩu lấy mã truy cập (hết hạn sau API_TOKEN_HOURS giờ)."""
    user = authenticate(credentials["username"], credentials["password"])
    if user is not None and user.password_change_required:
        keep_changes()  # what authenticate noted (a password to change) is kept
        return error_response(
            403,
            "password_change_required",
            _(
                "Mật khẩu của tài khoản này do người khác đặt hoặc không còn đạt yêu cầu; hãy "
                "đăng nhập trang web và đổi mật khẩu trước khi lấy mã truy cập."
            ),
        )
    if user is None:
        return error_response(
            401,
            "invalid_credentials",
            _("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khoá."),
        )
    token, expires_at = sign_in_token(user, now=utcnow())
    return saved({"token": token, "expires_at": expires_at})
