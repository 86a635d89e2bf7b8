"""Sending a stored file (evidence, a comment's or a document's file) to the browser."""

from __future__ import annotations

import logging

from flask import abort, send_file

from tracker.storage import StorageError, StoredFileMissing
from tracker.tasks.evidence import open_evidence
from tracker.tasks.models import EvidenceFile

logger = logging.getLogger(__name__)


def send_evidence(record: EvidenceFile):
    """Answer with the file as a download: 404 if storage lost it, 503 if storage cannot
    be read now. Streamed as it is read (from disk or from the bucket), never loaded whole."""
    try:
        stream = open_evidence(record)
    except StoredFileMissing:
        abort(404)
    except StorageError:
        logger.exception("Evidence file %s could not be read", record.id)
        abort(503)
    response = send_file(
        stream,
        mimetype=record.content_type,
        as_attachment=True,
        download_name=record.original_name,
        etag=record.sha256,
        last_modified=record.uploaded_at,
        conditional=False,
    )
    response.content_length = record.size
    return response
