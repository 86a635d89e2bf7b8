"""Evidence files: limits on size and type, content checked, nothing left on failure."""

from __future__ import annotations

import pytest

from tests.factories import in_progress_task
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.evidence import Upload, clean_filename, stored_path
from tracker.tasks.models import EvidenceFile, ProgressUpdate

PDF = b"%PDF-1.7\n" + b"0" * 100


def _report(org, task, now, *files):
    return services.report_progress(
        task,
        actor=org.staff_a,
        now=now,
        percent=60,
        narrative="Đã có biên bản",
        evidence=list(files),
    )


def test_evidence_is_stored_outside_static_with_its_size_and_hash(app, org, now):
    task = in_progress_task(org, now)
    update = _report(org, task, now, Upload("Biên bản họp.pdf", PDF))
    db.session.commit()
    (record,) = update.evidence
    assert record.original_name == "Biên bản họp.pdf"
    assert record.size == len(PDF) and record.content_type == "application/pdf"
    path = stored_path(record.stored_name)
    assert path.read_bytes() == PDF
    assert "static" not in path.parts


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (Upload("virus.exe", b"MZ\x90\x00"), "không được chấp nhận"),
        (Upload("bao-cao.pdf", b"<html>not a pdf</html>"), "không đúng với đuôi"),
        (Upload("anh.png", PDF), "không đúng với đuôi"),
        (Upload("rong.pdf", b""), "rỗng"),
        (Upload("lon.pdf", b"%PDF-" + b"0" * (1024 * 1024)), "lớn hơn 1 MB"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(app, org, now, upload, reason):
    task = in_progress_task(org, now)
    updates_before = db.session.query(ProgressUpdate).count()
    with pytest.raises(ValidationError) as refused:
        _report(org, task, now, Upload("tot.pdf", PDF), upload)
    assert reason in refused.value.message
    db.session.rollback()
    assert db.session.query(ProgressUpdate).count() == updates_before
    assert db.session.query(EvidenceFile).count() == 0
    uploads = app.config["UPLOAD_FOLDER"]
    assert not any(p.is_file() for p in __import__("pathlib").Path(uploads).rglob("*"))


def test_files_of_a_rolled_back_report_are_removed(app, org, now):
    task = in_progress_task(org, now)
    update = _report(org, task, now, Upload("bien-ban.pdf", PDF))
    path = stored_path(update.evidence[0].stored_name)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\bao cao.pdf", "bao cao.pdf"),
        ("..pdf", "pdf"),
        ("Báo cáo.pdf", "Báo cáo.pdf"),
    ],
)
def test_path_tricks_in_file_names_are_stripped(given, kept):
    assert clean_filename(given) == kept
