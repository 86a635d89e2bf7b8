"""Evidence files: checked for size, type and content, stored outside static/.

Files are written (to the configured storage, see tracker.storage) before the transaction
commits; if it rolls back, the files it wrote are removed again, so a failed progress report
leaves nothing behind. A rolled-back savepoint removes only the files written inside it. A
storage that is full or failing refuses the report with a clear message, leaving no partial
file. If the connection drops while the COMMIT itself is under way, nobody knows at first
whether the rows were saved: the files are then removed only once the database says no row
names them, and kept (and logged) when it cannot say — an unreferenced file is harmless, a
record whose file is gone is lost evidence.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.errors import StorageUnavailable, ValidationError
from tracker.extensions import db
from tracker.storage import StorageError, current_storage
from tracker.tasks.models import EvidenceFile

logger = logging.getLogger(__name__)

_WRITTEN = "tracker.evidence.written"  # [(storage, stored name)] written by this transaction
_MARKS = "tracker.evidence.savepoints"  # savepoint → how many files were written at its start
_COMMITTING = "tracker.evidence.committing"  # a COMMIT with files is under way

_OOXML = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# Extension → (content type, accepted leading bytes; None means plain UTF-8 text).
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _OOXML,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _OOXML,
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", _OOXML),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _OOXML),
    ".zip": ("application/zip", _OOXML),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".txt": ("text/plain; charset=utf-8", None),
}


@dataclass(frozen=True)
class Upload:
    """A file as received from a person or a system."""

    filename: str
    data: bytes


# Names Windows keeps for devices, whatever the extension: "CON.pdf" cannot be saved there.
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)
NAME_MAX = 200


def clean_filename(name: str) -> str:
    """Return the file's own name as it is kept and offered for download: without any
    directory part, control or direction-changing characters (a right-to-left override
    makes "tep\u202efdp.exe" look like "tepexe.pdf"), leading dots, a trailing dot or
    space, or a Windows device name; in NFC, at most 200 characters, extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    # isprintable() is False for controls, format characters (Cf: RTL/LTR overrides,
    # zero-width joiners) and separators other than the plain space.
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").rstrip(". ")
    stem, extension = os.path.splitext(name)
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    if len(extension) > 16:  # no real extension is that long: it is part of the name
        stem, extension = name, ""
    return stem[: NAME_MAX - len(extension)] + extension


def _check(upload: Upload) -> tuple[str, str]:
    """Return (original name, content type) or raise a ValidationError naming the file."""
    name = clean_filename(upload.filename)
    if not name:
        raise ValidationError(
            _("Tệp minh chứng không có tên."), fields={"evidence": _("thiếu tên tệp")}
        )
    limit_mb = current_app.config["MAX_UPLOAD_MB"]
    if len(upload.data) > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("Tệp “%(name)s” lớn hơn %(mb)s MB.", name=name, mb=limit_mb),
            fields={"evidence": _("tệp quá lớn")},
        )
    if not upload.data:
        raise ValidationError(
            _("Tệp “%(name)s” rỗng.", name=name), fields={"evidence": _("tệp rỗng")}
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise ValidationError(
            _(
                "Loại tệp “%(name)s” không được chấp nhận. Chấp nhận: %(allowed)s.",
                name=name,
                allowed=allowed,
            ),
            fields={"evidence": _("loại tệp không được chấp nhận")},
        )
    content_type, signatures = ALLOWED_TYPES[extension]
    if not _content_matches(upload.data, signatures):
        raise ValidationError(
            _(
                "Nội dung tệp “%(name)s” không đúng với đuôi %(extension)s.",
                name=name,
                extension=extension,
            ),
            fields={"evidence": _("nội dung không khớp loại tệp")},
        )
    return name, content_type


def _content_matches(data: bytes, signatures: tuple[bytes, ...] | None) -> bool:
    if signatures is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in data
    return any(data.startswith(sig) for sig in signatures)


# What a file may be attached to (one of them, an EvidenceFile column each).
ATTACHABLE = frozenset(
    {"progress_update_id", "comment_id", "extension_request_id", "review_id", "document_id"}
)


def store_evidence(
    uploads: Sequence[Upload],
    *,
    user_id: int,
    now: datetime,
    task_id: int | None = None,
    **attached_to: int,
) -> list[EvidenceFile]:
    """Check every upload first, then write them and return their records (flushed).

    ``attached_to`` names the one thing the files belong to: ``progress_update_id``,
    ``comment_id``, ``extension_request_id``, ``review_id`` or ``document_id``."""
    unknown = set(attached_to) - ATTACHABLE
    if len(attached_to) != 1 or unknown:
        raise TypeError(f"attach files to exactly one of {sorted(ATTACHABLE)}, not {unknown}")
    checked = [(upload, *_check(upload)) for upload in uploads]
    records = []
    for upload, name, content_type in checked:
        extension = os.path.splitext(name)[1].lower()
        stored_name = _write_file(upload.data, extension)
        record = EvidenceFile(
            task_id=task_id,
            original_name=name,
            stored_name=stored_name,
            content_type=content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            uploaded_by_id=user_id,
            uploaded_at=now,
            **attached_to,
        )
        db.session.add(record)
        records.append(record)
    if records:
        db.session.flush()
    return records


def open_evidence(record: EvidenceFile) -> BinaryIO:
    """Return a stream of the file's bytes; StoredFileMissing if storage lost it."""
    return current_storage().open(record.stored_name)


def _write_file(data: bytes, extension: str) -> str:
    storage = current_storage()
    try:
        # The storage removes what it half wrote if this fails.
        stored_name = storage.save(io.BytesIO(data), suffix=extension)
    except StorageError as exc:
        logger.error("Evidence (%s bytes) not stored in %s: %s", len(data), storage.describe(), exc)
        raise StorageUnavailable(
            _(
                "Không lưu được tệp minh chứng (bộ nhớ máy chủ đầy hoặc không ghi được). "
                "Chưa có gì thay đổi; vui lòng thử lại sau hoặc báo quản trị hệ thống."
            ),
            fields={"evidence": _("không lưu được tệp")},
        ) from exc
    db.session.info.setdefault(_WRITTEN, []).append((storage, stored_name))
    return stored_name


def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_MARKS, {})
        marks[id(transaction)] = len(session.info.get(_WRITTEN, []))


def _forget_written(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its files stand or fall with the whole transaction
    session.info.pop(_WRITTEN, None)
    session.info.pop(_MARKS, None)
    session.info.pop(_COMMITTING, None)


def _committing(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.get(_WRITTEN):
        session.info[_COMMITTING] = True


def _referenced(names: list[str]) -> set[str] | None:
    """Return which of these stored files the database has rows for (None: it cannot say)."""
    table = EvidenceFile.__table__
    try:
        with db.engine.connect() as conn:
            found = conn.scalars(
                sa.select(table.c.stored_name).where(table.c.stored_name.in_(names))
            ).all()
    except sa.exc.SQLAlchemyError as error:
        logger.error("Cannot tell whether evidence files %s were saved: %s", names, error)
        return None
    return set(found)


def _remove_written(session: Session, previous_transaction=None) -> None:
    """Remove the files of what was rolled back: all of them, or a savepoint's own."""
    written = session.info.get(_WRITTEN, [])
    if previous_transaction is not None and previous_transaction.nested:
        mark = session.info.get(_MARKS, {}).pop(id(previous_transaction), None)
        if mark is None:
            return
        removed, written[mark:] = written[mark:], []
    else:
        removed = session.info.pop(_WRITTEN, [])
        session.info.pop(_MARKS, None)
        if session.info.pop(_COMMITTING, False) and removed:
            # The commit failed on its way: perhaps after the database had saved the rows.
            referenced = _referenced([name for _storage, name in removed])
            if referenced is None:
                return
            if referenced:
                logger.warning("Evidence files %s kept: their rows were saved", sorted(referenced))
            removed = [(storage, name) for storage, name in removed if name not in referenced]
    for storage, name in removed:
        try:
            storage.delete(name)
        except StorageError as exc:
            # The record is gone with the rollback; an unreferenced file is only clutter.
            logger.warning("Evidence file %s of a rolled-back change not removed: %s", name, exc)


def register_evidence_hooks() -> None:
    """Remove files written by a transaction that rolls back."""
    if sa.event.contains(Session, "after_soft_rollback", _remove_written):
        return
    sa.event.listen(Session, "before_commit", _committing)
    sa.event.listen(Session, "after_commit", _forget_written)
    sa.event.listen(Session, "after_transaction_create", _mark_savepoint)
    sa.event.listen(Session, "after_soft_rollback", _remove_written)
