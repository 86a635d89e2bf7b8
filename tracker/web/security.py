"""Security headers on every answer: the content policy, framing, sniffing, HSTS, no caching
of pages that show what only their reader may see."""

from __future__ import annotations

from flask import Flask, current_app, request

from tracker.web.branding import is_public_file

# No inline scripts or styles anywhere: everything comes from the app's own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# HSTS (ASVS V14.4.5), in production only: a year, subdomains included.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def security_headers(response):
    """Add the security headers to an answer (a page may set its own policy first)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("TRACKER_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if not is_public_file(request.endpoint):
        # Pages show what only their reader may see: no copy in a cache or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


def register_security(app: Flask) -> None:
    """Give every answer the security headers."""
    app.after_request(security_headers)
