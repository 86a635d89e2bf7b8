"""Pages where the office and the admins keep the process templates."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import utcnow
from tracker.tasks.models import ProcessTemplate
from tracker.tasks.process_templates import services as templates
from tracker.tasks.process_templates.forms import TemplateForm
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("process_templates", __name__, url_prefix="/process-templates")


def _require_keeper() -> None:
    if not templates.may_keep_templates(current_user):
        abort(403)


@bp.route("")
@login_required
def index():
    """List the process templates."""
    _require_keeper()
    return render_template(
        "process_templates/list.html",
        items=templates.all_templates(),
        labels=templates.RESPONSIBLE_LABELS,
    )


def _edit(template: ProcessTemplate | None):
    form = TemplateForm()
    if template is not None and not form.is_submitted():
        form.fill_from(template)

    def page():
        form.add_blank_rows()
        return render_template("process_templates/form.html", form=form, template=template)

    if form.validate_on_submit():
        with refusal_shown_on(form, page):
            saved = templates.save_template(
                template,
                name=form.name.data,
                description=form.description.data or "",
                steps=form.step_inputs(),
                active=form.active.data,
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã lưu quy trình mẫu “%(name)s”.", name=saved.name), "success")
        return redirect(url_for("process_templates.index"))
    return page(), form_status()


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a process template."""
    _require_keeper()
    return _edit(None)


@bp.route("/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit(template_id: int):
    """Change a process template (tasks already drafted keep their steps)."""
    _require_keeper()
    return _edit(templates.get_template(template_id))
