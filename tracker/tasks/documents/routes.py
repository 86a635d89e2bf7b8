"""Directive documents: the list, one document with all its tasks, registering a new one."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import utcnow
from tracker.tasks import queries
from tracker.tasks.classification import CATEGORY_LABELS, as_of
from tracker.tasks.documents import services
from tracker.tasks.documents.forms import DocumentForm
from tracker.tasks.permissions import may_create, require_can_create
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.route("")
@login_required
def document_list():
    """List directive documents with the count of visible tasks per category."""
    report_day = as_of()
    documents, counts = services.documents_with_counts(current_user, report_day)
    return render_template(
        "documents/list.html",
        documents=documents,
        counts=counts,
        labels=CATEGORY_LABELS,
        can_register=may_create(current_user),
    )


@bp.route("/<int:document_id>")
@login_required
def document_detail(document_id: int):
    """Show a document and every task drawn from it that the person may see."""
    document = services.get_document(document_id)
    report_day = as_of()
    page = request.args.get("page", 1, type=int)
    result = queries.search_tasks(
        current_user,
        queries.TaskFilters(document_id=document.id),
        report_day,
        page=page,
        per_page=50,
    )
    return render_template(
        "documents/detail.html",
        document=document,
        result=result,
        labels=CATEGORY_LABELS,
        can_draft=may_create(current_user),
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
