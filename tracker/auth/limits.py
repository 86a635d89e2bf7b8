"""Throttling of sign-in attempts (ASVS V2.2.1), shared by the sign-in page and the API.

Two limits count failed attempts only: per address (LOGIN_RATE_LIMIT: one machine trying
many passwords or many accounts) and per username (LOGIN_USER_RATE_LIMIT: many machines
trying one account). Both are shared between ``/login`` and ``POST /api/v1/tokens``, so
using both doors gives no extra tries. The counts live in RATELIMIT_STORAGE_URI: Redis
when several workers or hosts serve the site, or each process would count on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from tracker.extensions import limiter


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _username_limit() -> str:
    return current_app.config["LOGIN_USER_RATE_LIMIT"]


def attempted_username() -> str:
    """Return the username a sign-in attempt names, as it would be looked up."""
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return "user:" + (name.strip().lower()[:80] if isinstance(name, str) else "")


def login_limits(*, success_status: int) -> Callable:
    """Throttle a sign-in view: an answer other than ``success_status`` counts as failed."""

    def failed(response) -> bool:
        return response.status_code != success_status

    def decorate(view: Callable) -> Callable:
        view = limiter.shared_limit(
            _username_limit,
            scope="sign-in-username",
            key_func=attempted_username,
            methods=["POST"],
            deduct_when=failed,
        )(view)
        return limiter.shared_limit(
            _address_limit, scope="sign-in-address", methods=["POST"], deduct_when=failed
        )(view)

    return decorate
