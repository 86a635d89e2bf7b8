"""Directive documents: registering one with its scan, and reading them with the tasks
drawn from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit.services import record
from tracker.errors import NotFound, ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks.classification import AsOf, category_sql
from tracker.tasks.evidence import Upload, store_evidence
from tracker.tasks.models import EvidenceFile, SourceDocument, Task
from tracker.tasks.permissions import require_can_create, visible_tasks_clause
from tracker.tasks.services import checked_text


def register_document(
    *,
    number: str,
    kind: str,
    issuer: str,
    issued_on: date | None,
    summary: str = "",
    files: Sequence[Upload] = (),
    actor: User,
    now: datetime,
) -> SourceDocument:
    """Register a directive document that tasks can be drafted from, with its signed scan
    or PDF if given."""
    require_can_create(actor)
    number, kind, issuer = (
        checked_text(number, "number", 80),
        checked_text(kind, "kind", 80),
        checked_text(issuer, "issuer", 255),
    )
    missing = {
        name: _("bắt buộc")
        for name, value in (
            ("number", number),
            ("kind", kind),
            ("issuer", issuer),
            ("issued_on", issued_on),
        )
        if not value
    }
    if missing:
        raise ValidationError(
            _("Văn bản chỉ đạo cần có số, loại, cơ quan ban hành và ngày ban hành."),
            fields=missing,
        )
    duplicate = db.session.execute(
        sa.select(SourceDocument.id).where(
            SourceDocument.number == number, SourceDocument.issuer == issuer
        )
    ).first()
    if duplicate:
        raise ValidationError(
            _(
                "Văn bản số %(number)s của %(issuer)s đã được đăng ký.",
                number=number,
                issuer=issuer,
            ),
            code="duplicate",
            fields={"number": _("đã tồn tại")},
        )
    document = SourceDocument(
        number=number,
        kind=kind,
        issuer=issuer,
        issued_on=issued_on,
        summary=checked_text(summary, "summary"),
        created_at=now,
    )
    db.session.add(document)
    db.session.flush()
    stored = store_evidence(files, user_id=actor.id, now=now, document_id=document.id)
    record(
        "document.registered",
        document,
        actor=actor,
        now=now,
        after={
            "number": number,
            "kind": kind,
            "issuer": issuer,
            "issued_on": issued_on,
            "files": [f.original_name for f in stored],
        },
    )
    return document


def attach_files(
    document: SourceDocument, files: Sequence[Upload], *, actor: User, now: datetime
) -> list[EvidenceFile]:
    """Add files (the signed scan, an appendix) to a registered document (the office)."""
    require_can_create(actor)
    if not files:
        raise ValidationError(_("Hãy chọn tệp để đính kèm."), fields={"files": _("bắt buộc")})
    stored = store_evidence(files, user_id=actor.id, now=now, document_id=document.id)
    record(
        "document.files_attached",
        document,
        actor=actor,
        now=now,
        after={"files": [f.original_name for f in stored]},
    )
    return stored


def get_document(document_id: int) -> SourceDocument:
    """Load a directive document, or raise NotFound."""
    document = db.session.get(SourceDocument, document_id)
    if document is None:
        raise NotFound(_("Không tìm thấy văn bản."))
    return document


def documents_with_counts(
    user: User, as_of: AsOf, *, page: int = 1, per_page: int = 50
) -> tuple[list[SourceDocument], int, dict[int, dict[str, int]]]:
    """Return one page of the documents, newest first, their number in all, and the count
    of the tasks drawn from each that the user may see, by category as of the date (three
    queries)."""
    total = db.session.scalar(sa.select(sa.func.count(SourceDocument.id)))
    documents = db.session.scalars(
        sa.select(SourceDocument)
        .order_by(SourceDocument.issued_on.desc(), SourceDocument.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    category = category_sql(as_of)
    counts: dict[int, dict[str, int]] = {}
    query = (
        sa.select(Task.document_id, category, sa.func.count())
        .where(visible_tasks_clause(user), Task.document_id.in_([d.id for d in documents]))
        .group_by(Task.document_id, category)
    )
    for document_id, name, n in db.session.execute(query):
        counts.setdefault(document_id, {})[name] = n
    return list(documents), total, counts
