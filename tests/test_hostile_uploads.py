"""Hostile evidence files sent through the progress form, as a browser sends them.

A refused file is named in a clear message and leaves nothing behind: no progress report,
no evidence row, no audit event, no file in UPLOAD_FOLDER. An accepted file is kept under
a generated name and offered back with a safe name, as an attachment, never sniffed.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.http import parse_options_header

from tests.factories import in_progress_task
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.tasks.models import EvidenceFile, ProgressUpdate

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def _docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _counts() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (ProgressUpdate, EvidenceFile, AuditEvent)
    )


def _files(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def _post(client, task, *files):
    return client.post(
        f"/tasks/{task.id}/progress",
        data={
            "percent": "40",
            "narrative": "Đã hoàn thành khảo sát",
            "evidence": [(BytesIO(data), name) for name, data in files],
        },
        content_type="multipart/form-data",
    )


@pytest.fixture
def task(org, now, auth):
    made = in_progress_task(org, now)
    auth.login("cv.tttt")
    return made


REFUSED = [
    ("virus.exe", EXE, "virus.exe", "không được chấp nhận"),
    ("bao-cao.pdf", EXE, "bao-cao.pdf", "không đúng với đuôi"),
    ("bao-cao.docx", HTML, "bao-cao.docx", "không đúng với đuôi"),
    ("so-lieu.xlsx", ELF, "so-lieu.xlsx", "không đúng với đuôi"),
    ("anh.png", HTML, "anh.png", "không đúng với đuôi"),
    ("anh.png", PDF, "anh.png", "không đúng với đuôi"),
    ("trang.html", HTML, "trang.html", "không được chấp nhận"),
    ("ghi-chu.txt", b"\xff\xfe\x00b\x00a\x00d", "ghi-chu.txt", "không đúng với đuôi"),
    ("/etc/passwd", b"root:x:0:0", "passwd", "không được chấp nhận"),
    ("../../etc/passwd", b"root:x:0:0", "passwd", "không được chấp nhận"),
    # Multipart unquoting eats a backslash path's separators; what is left is no path.
    ("C:\\Windows\\system32\\cmd.exe", EXE, None, "không được chấp nhận"),
    ("bao-cao.pdf\x00.exe", EXE, "bao-cao.pdf.exe", "không được chấp nhận"),
    ("hoa-don\u202efdp.exe", EXE, "hoa-donfdp.exe", "không được chấp nhận"),
    ("rong.pdf", b"", "rong.pdf", "rỗng"),
    ("lon.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1), "lon.pdf", "lớn hơn 1 MB"),
    ("\u202e\u200b", PDF, None, "không có tên"),
]


@pytest.mark.parametrize(("name", "data", "shown", "reason"), REFUSED)
def test_a_hostile_file_is_refused_by_name_and_nothing_is_written(
    app, client, task, name, data, shown, reason
):
    before = _counts()
    answer = _post(client, task, ("bien-ban.pdf", PDF), (name, data))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert reason in page
    if shown:
        assert f"“{shown}”" in page
    assert _counts() == before
    assert _files(app) == []


def test_a_request_over_the_size_limit_gets_a_clear_page_and_writes_nothing(app, client, task):
    before = _counts()
    answer = _post(client, task, ("lon.pdf", b"%PDF-" + b"0" * (4 * 1024 * 1024)))
    assert answer.status_code == 413
    assert "vượt quá 3 MB" in answer.get_data(as_text=True)
    assert _counts() == before and _files(app) == []


ACCEPTED = [
    ("Biên bản họp.pdf", PDF, "Biên bản họp.pdf"),
    ("../../../../etc/Biên bản.pdf", PDF, "Biên bản.pdf"),
    ("CON.pdf", PDF, "_CON.pdf"),
    ("lpt1.docx", _docx(), "_lpt1.docx"),
    ("x" * 300 + ".pdf", PDF, "x" * 196 + ".pdf"),
    ("bao\u202ecao.pdf", PDF, "baocao.pdf"),
    # Browsers send a double quote as %22, which the server reads back as a quote.
    ("ten 'co' ngoac; va = dau %22.pdf", PDF, "ten 'co' ngoac; va = dau \".pdf"),
    ("bao cao.pdf. ", PDF, "bao cao.pdf"),
]


@pytest.mark.parametrize(("name", "data", "kept"), ACCEPTED)
def test_an_accepted_file_gets_a_safe_name_and_safe_download_headers(
    app, client, task, name, data, kept
):
    answer = _post(client, task, (name, data))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    record = db.session.scalars(sa.select(EvidenceFile)).one()
    assert record.original_name == kept
    (stored,) = _files(app)
    assert stored.name == record.stored_name and stored.parent.parent == Path(
        app.config["UPLOAD_FOLDER"]
    )
    assert all(c.isalnum() or c == "." for c in stored.name)
    download = client.get(f"/tasks/{task.id}/evidence/{record.id}")
    assert download.status_code == 200 and download.data == data
    disposition = download.headers["Content-Disposition"]
    kind, options = parse_options_header(disposition)
    assert kind == "attachment"
    assert options["filename"] == kept  # the UTF-8 name (filename*) where there is one
    assert "\r" not in disposition and "\n" not in disposition and "\u202e" not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == record.content_type.split(";")[0]
