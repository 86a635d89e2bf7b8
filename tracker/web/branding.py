"""Who runs the site, on every page: the organisation's name and logo (ORG_NAME, ORG_LOGO),
whom to ask for a new password (SUPPORT_CONTACT), and the favicon."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, send_file, url_for

from tracker.config import image_type

bp = Blueprint("branding", __name__)

# Public files every browser asks for, even before sign-in; they may be cached.
PUBLIC_FILES = frozenset({"branding.favicon", "branding.org_logo"})
CACHE_SECONDS = 86400
EMBLEM = "emblem.svg"
# An SVG logo opened on its own page must run nothing, even if a script hides in it.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def is_public_file(endpoint: str | None) -> bool:
    """Tell whether a request is for a static or other public file (no page, no session)."""
    return (endpoint or "").endswith("static") or endpoint in PUBLIC_FILES


def _static(name: str):
    return send_file(Path(current_app.static_folder) / name, max_age=CACHE_SECONDS)


def _logo() -> tuple[Path, str] | None:
    """The organisation's logo file and its content type, or None for the built-in emblem
    (unset, or no longer a readable image)."""
    configured = current_app.config.get("ORG_LOGO")
    if not configured:
        return None
    path = Path(configured)
    try:
        with path.open("rb") as fh:
            kind = image_type(fh.read(512))
    except OSError:
        current_app.logger.warning("ORG_LOGO cannot be read: %s", configured)
        return None
    return (path, kind) if kind else None


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers ask for on their own, whatever the page says."""
    return _static("favicon.ico")


@bp.route("/org-logo")
def org_logo():
    """The organisation's logo (ORG_LOGO), with a safe content type, or the built-in emblem."""
    logo = _logo()
    if logo is None:
        return _static(EMBLEM)
    path, kind = logo
    response = send_file(path, mimetype=kind, max_age=CACHE_SECONDS)
    if kind == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


def logo_url() -> str:
    """The address of the logo the header shows; it changes when the file does, so
    browsers may keep it for a day."""
    configured = current_app.config.get("ORG_LOGO")
    if configured:
        try:
            version = int(Path(configured).stat().st_mtime)
        except OSError:
            version = 0
        return url_for("branding.org_logo", v=version)
    return url_for("static", filename=EMBLEM)


def _branding_context() -> dict:
    config = current_app.config
    return {
        "org_name": config.get("ORG_NAME", ""),
        "org_logo_url": logo_url,
        "support_contact": config.get("SUPPORT_CONTACT", ""),
    }


def register_branding(app: Flask) -> None:
    """Serve the favicon and the logo, and give every template the organisation."""
    app.register_blueprint(bp)
    app.context_processor(_branding_context)
