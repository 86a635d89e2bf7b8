"""Directive documents: the list, one document with all its tasks, registering a new one."""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.org.models import Role
from tracker.tasks import queries, services
from tracker.tasks.classification import CATEGORY_LABELS, AsOf, category_sql
from tracker.tasks.forms import VnDateField
from tracker.tasks.models import SourceDocument, Task
from tracker.tasks.permissions import require_can_create, visible_tasks_clause
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("documents", __name__, url_prefix="/documents")


class DocumentForm(FlaskForm):
    number = StringField(_l("Số, ký hiệu"), validators=[DataRequired(), Length(max=80)])
    kind = StringField(
        _l("Loại văn bản"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Ví dụ: Kế hoạch, Công văn, Quyết định, Chỉ thị"),
    )
    issuer = StringField(_l("Cơ quan ban hành"), validators=[DataRequired(), Length(max=255)])
    issued_on = VnDateField(_l("Ngày ban hành"), validators=[InputRequired()], any_year=True)
    summary = TextAreaField(_l("Trích yếu"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Đăng ký văn bản"))


@bp.route("")
@login_required
def document_list():
    """List directive documents with the count of visible tasks per category."""
    as_of = AsOf.of(local_date(utcnow()), load_calendar())
    category = category_sql(as_of)
    counts: dict[int, dict[str, int]] = {}
    query = (
        sa.select(Task.document_id, category, sa.func.count())
        .where(visible_tasks_clause(current_user), Task.document_id.is_not(None))
        .group_by(Task.document_id, category)
    )
    for document_id, name, n in db.session.execute(query):
        counts.setdefault(document_id, {})[name] = n
    documents = db.session.scalars(
        sa.select(SourceDocument).order_by(SourceDocument.issued_on.desc(), SourceDocument.id)
    ).all()
    can_register = current_user.has_role(Role.ASSIGNER)
    return render_template(
        "documents/list.html",
        documents=documents,
        counts=counts,
        labels=CATEGORY_LABELS,
        can_register=can_register,
    )


@bp.route("/<int:document_id>")
@login_required
def document_detail(document_id: int):
    """Show a document and every task drawn from it that the person may see."""
    document = db.session.get(SourceDocument, document_id)
    if document is None:
        raise NotFound(_("Không tìm thấy văn bản."))
    as_of = AsOf.of(local_date(utcnow()), load_calendar())
    page = request.args.get("page", 1, type=int)
    result = queries.search_tasks(
        current_user, queries.TaskFilters(document_id=document.id), as_of, page=page, per_page=50
    )
    return render_template(
        "documents/detail.html",
        document=document,
        result=result,
        labels=CATEGORY_LABELS,
        can_draft=current_user.has_role(Role.ASSIGNER),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_document():
    """Register a directive document (the office)."""
    require_can_create(current_user)
    form = DocumentForm()
    page = partial(render_template, "documents/form.html", form=form)
    if form.validate_on_submit():
        with refusal_shown_on(form, page):
            document = services.register_document(
                number=form.number.data,
                kind=form.kind.data,
                issuer=form.issuer.data,
                issued_on=form.issued_on.data,
                summary=form.summary.data,
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã đăng ký văn bản %(number)s.", number=document.number), "success")
        return redirect(url_for("documents.document_detail", document_id=document.id))
    return page(), form_status()
