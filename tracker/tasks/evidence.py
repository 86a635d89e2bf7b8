"""Evidence files: checked for size, type and content, stored outside static/.

Files are written before the transaction commits; if it rolls back, the files it
wrote are removed again, so a failed progress report leaves nothing behind. A disk that
is full or failing refuses the report with a clear message, leaving no partial file.
If the connection drops while the COMMIT itself is under way, nobody knows at first
whether the rows were saved: the files are then removed only once the database says
no row names them, and kept (and logged) when it cannot say — an unreferenced file is
harmless, a record whose file is gone is lost evidence.
"""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.errors import StorageUnavailable, ValidationError
from tracker.extensions import db
from tracker.tasks.models import EvidenceFile

logger = logging.getLogger(__name__)

_WRITTEN = "tracker.evidence.written"
_COMMITTING = "tracker.evidence.committing"

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


def clean_filename(name: str) -> str:
    """Return the file's own name, without any directory part, in NFC, at most 200 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[-200:]


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


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_path(stored_name: str) -> Path:
    """Return where a stored file lives (names are generated, never taken from users)."""
    return upload_root() / stored_name[:2] / stored_name


def store_evidence(
    uploads: list[Upload],
    *,
    task_id: int,
    progress_update_id: int | None,
    user_id: int,
    now: datetime,
) -> list[EvidenceFile]:
    """Check every upload first, then write them and return their records (flushed)."""
    checked = [(upload, *_check(upload)) for upload in uploads]
    records = []
    for upload, name, content_type in checked:
        extension = os.path.splitext(name)[1].lower()
        stored_name = f"{uuid.uuid4().hex}{extension}"
        _write_file(stored_path(stored_name), upload.data)
        record = EvidenceFile(
            task_id=task_id,
            progress_update_id=progress_update_id,
            original_name=name,
            stored_name=stored_name,
            content_type=content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            uploaded_by_id=user_id,
            uploaded_at=now,
        )
        db.session.add(record)
        records.append(record)
    db.session.flush()
    return records


def _write_file(path: Path, data: bytes) -> None:
    db.session.info.setdefault(_WRITTEN, []).append(path)
    partial = path.with_suffix(path.suffix + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        logger.error("Evidence file %s not stored (%s bytes): %s", path, len(data), exc)
        raise StorageUnavailable(
            _(
                "Không lưu được tệp minh chứng (bộ nhớ máy chủ đầy hoặc không ghi được). "
                "Chưa có gì thay đổi; vui lòng thử lại sau hoặc báo quản trị hệ thống."
            ),
            fields={"evidence": _("không lưu được tệp")},
        ) from exc


def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    session.info.pop(_COMMITTING, None)


def _committing(session: Session) -> None:
    if session.info.get(_WRITTEN):
        session.info[_COMMITTING] = True


def _referenced(paths: list[Path]) -> set[Path] | None:
    """Return which of these files the database has rows for (None: it cannot say)."""
    names = {path.name: path for path in paths}
    table = EvidenceFile.__table__
    try:
        with db.engine.connect() as conn:
            found = conn.scalars(
                sa.select(table.c.stored_name).where(table.c.stored_name.in_(list(names)))
            ).all()
    except sa.exc.SQLAlchemyError as error:
        logger.error("Cannot tell whether evidence files %s were saved: %s", list(names), error)
        return None
    return {names[name] for name in found}


def _remove_written(session: Session, previous_transaction=None) -> None:
    paths = session.info.pop(_WRITTEN, [])
    if session.info.pop(_COMMITTING, False) and paths:
        # The commit failed on its way: perhaps after the database had saved the rows.
        referenced = _referenced(paths)
        if referenced is None:
            return
        if referenced:
            logger.warning("Evidence files %s kept: their rows were saved", sorted(referenced))
        paths = [path for path in paths if path not in referenced]
    for path in paths:
        path.unlink(missing_ok=True)


def register_evidence_hooks() -> None:
    """Remove files written by a transaction that rolls back."""
    if sa.event.contains(Session, "after_soft_rollback", _remove_written):
        return
    sa.event.listen(Session, "before_commit", _committing)
    sa.event.listen(Session, "after_commit", _forget_written)
    sa.event.listen(Session, "after_soft_rollback", _remove_written)
