"""Directive documents: the list, one document with all its tasks, registering a new one."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.tasks import queries
from tracker.tasks.classification import CATEGORY_LABELS, as_of
from tracker.tasks.documents import services
from tracker.tasks.documents.forms import DocumentFilesForm, DocumentForm
from tracker.tasks.downloads import send_evidence
from tracker.tasks.forms import uploads_of
from tracker.tasks.models import EvidenceFile
from tracker.tasks.permissions import may_create, require_can_create
from tracker.web.forms import form_status, refusal_shown_on
from tracker.web.templating import PageOf

bp = Blueprint("documents", __name__, url_prefix="/documents")
DOCUMENTS_PAGE = 50


@bp.route("")
@login_required
def document_list():
    """List directive documents with the count of visible tasks per category."""
    page = request.args.get("page", 1, type=int)
    documents, total, counts = services.documents_with_counts(
        current_user, as_of(), page=page, per_page=DOCUMENTS_PAGE
    )
    return render_template(
        "documents/list.html",
        documents=documents,
        result=PageOf(page, DOCUMENTS_PAGE, total),
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
    return _detail_page(document, result)


def _detail_page(document, result, files_form=None, status=200):
    can_draft = may_create(current_user)
    if can_draft and files_form is None:
        files_form = DocumentFilesForm(formdata=None)
    return render_template(
        "documents/detail.html",
        document=document,
        result=result,
        labels=CATEGORY_LABELS,
        can_draft=can_draft,
        files_form=files_form,
    ), status


@bp.route("/<int:document_id>/files", methods=["POST"])
@login_required
def attach_files(document_id: int):
    """Attach the document's signed scan or other files (the office)."""
    require_can_create(current_user)
    document = services.get_document(document_id)
    form = DocumentFilesForm()

    def page():
        result = queries.search_tasks(
            current_user, queries.TaskFilters(document_id=document.id), as_of(), per_page=50
        )
        return _detail_page(document, result, form, 422)

    if not form.validate_on_submit():
        return page()
    with refusal_shown_on(form, page):
        services.attach_files(document, uploads_of(form.files), actor=current_user, now=utcnow())
    flash(_("Đã đính kèm tệp vào văn bản."), "success")
    return redirect(url_for("documents.document_detail", document_id=document.id))


@bp.route("/<int:document_id>/files/<int:file_id>")
@login_required
def download(document_id: int, file_id: int):
    """Download a file of a directive document (documents are the city's public acts)."""
    record = db.session.get(EvidenceFile, file_id)
    if record is None or record.document_id != document_id:
        abort(404)
    return send_evidence(record)


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
                files=uploads_of(form.files),
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã đăng ký văn bản %(number)s.", number=document.number), "success")
        return redirect(url_for("documents.document_detail", document_id=document.id))
    return page(), form_status()
