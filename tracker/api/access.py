"""Who is calling: the bearer token of each API request, and the request's transaction."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request
from werkzeug.exceptions import Unauthorized

from tracker.auth.models import TokenKind
from tracker.auth.tokens import user_for_token
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.org.models import User

API_TOKEN_KINDS = (TokenKind.SIGN_IN, TokenKind.PERSONAL)


def require_token() -> None:
    """Find the caller from ``Authorization: Bearer <token>``; 401 without a usable one.

    The session cookie is ignored on purpose: the API acts only for a token's owner.
    """
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer":
        user = user_for_token(secret.strip(), API_TOKEN_KINDS, now=utcnow())
    if user is None:
        raise Unauthorized()
    # Flask-Login's current user for this request: the token's owner, never the cookie's.
    g._login_user = user


def caller() -> User:
    """Return the user the request's token stands for."""
    return g._login_user


def saved(value):
    """Write the request's changes (ids, versions) before ``value`` is serialised; the
    request commits once, when the answer is ready (tracker.web.transactions)."""
    db.session.flush()
    return value


def checked_first(check: Callable[..., object]):
    """Run ``check`` with the address's arguments before the body or query is read.

    flask-smorest validates a request's input before the view runs; placed between
    ``@blp.route`` and ``@blp.arguments``, this makes the caller's right come first, as
    on the web pages: a caller who may not act, or may not see the object, is refused
    (403, 404) whatever they sent, and only an allowed caller hears about bad input.
    ``check`` is the feature's own permission helper; the view calls it again to load.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check(**kwargs)
            return view(*args, **kwargs)

        return wrapped

    return decorator
