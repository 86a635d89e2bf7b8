"""Administration pages: units, users and roles, fields, the working calendar."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from tracker.org import services
from tracker.org.permissions import admin_required

bp = Blueprint("org", __name__, url_prefix="/admin")


@bp.route("/units")
@login_required
@admin_required
def units():
    """Show the unit tree."""
    return render_template("org/units.html", roots=services.unit_tree())
