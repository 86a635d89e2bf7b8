"""A directive document carries its signed scan or PDF (issue 17)."""

from __future__ import annotations

import io

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.tasks.models import EvidenceFile, SourceDocument

SCAN = b"%PDF-1.7 ban ky so cua van ban"


def _register(client, **extra):
    return client.post(
        "/documents/new",
        data={
            "number": "12/CT-UBND",
            "kind": "Chỉ thị",
            "issuer": "UBND thành phố Hà Nội",
            "issued_on": "2026-10-20",
            "summary": "Về tăng cường kỷ luật, kỷ cương hành chính.",
            **extra,
        },
        content_type="multipart/form-data",
    )


def test_the_office_registers_a_document_with_its_scan_and_anyone_signed_in_downloads_it(
    client, auth, org
):
    auth.login("vanphong")
    answer = _register(client, files=[(io.BytesIO(SCAN), "12-CT-UBND.pdf")])
    assert answer.status_code == 302
    document = db.session.scalars(
        sa.select(SourceDocument).where(SourceDocument.number == "12/CT-UBND")
    ).one()
    [scan] = document.files
    assert scan.task_id is None and scan.original_name == "12-CT-UBND.pdf"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "document.registered")
    ).all()[-1]
    assert "12-CT-UBND.pdf" in event.after
    auth.logout()
    auth.login("gd.stp")
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "12-CT-UBND.pdf" in page and "Đính kèm" not in page  # only the office attaches
    assert client.get(f"/documents/{document.id}/files/{scan.id}").data == SCAN


def test_a_scan_is_added_later_and_a_file_of_the_wrong_kind_saves_nothing(client, auth, org):
    auth.login("vanphong")
    url = f"/documents/{org.document.id}/files"
    refused = client.post(
        url, data={"files": [(io.BytesIO(b"MZ"), "virus.exe")]}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0
    added = client.post(
        url, data={"files": [(io.BytesIO(SCAN), "KH-171.pdf")]}, content_type="multipart/form-data"
    )
    assert added.status_code == 302
    db.session.expire_all()
    assert [f.original_name for f in org.document.files] == ["KH-171.pdf"]


def test_a_registration_with_a_bad_file_registers_nothing(client, auth, org):
    auth.login("vanphong")
    answer = _register(client, files=[(io.BytesIO(b"MZ"), "virus.exe")])
    assert answer.status_code == 422
    assert "Chỉ thị" in answer.get_data(as_text=True)  # what was typed comes back
    assert (
        db.session.scalar(
            sa.select(sa.func.count(SourceDocument.id)).where(SourceDocument.number == "12/CT-UBND")
        )
        == 0
    )
