"""The browsable API reference (Swagger UI), served from the app: no CDN, ever."""

from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

from tracker.web.security import CONTENT_SECURITY_POLICY

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

# Swagger UI sets styles inline as it draws; scripts stay limited to this site's files.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


@bp.route("")
def reference():
    """Show the API reference drawn from /api/v1/openapi.json."""
    html = render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))
    return html, 200, {"Content-Security-Policy": DOCS_POLICY}


@bp.route("/assets/<path:filename>")
def assets(filename: str):
    """Swagger UI's own files, from the swagger-ui-bundle package."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
