"""What every page and every API answer shares: error pages and the API's error shape,
form helpers, security headers, the language, the request's one transaction."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Wire up error handlers, security headers, the language, template helpers and the
    commit at the end of each request."""
    from tracker.web import branding, errors, locale, security, templating, transactions

    errors.register_errors(app)
    transactions.register_transactions(app)
    locale.register_locale(app)
    security.register_security(app)
    templating.register_templating(app)
    branding.register_branding(app)
