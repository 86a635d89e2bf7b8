"""Evidence files: limits on size and type, content checked, nothing left on failure.

Every test that stores a file runs twice: on the directory storage and on a real
S3-compatible server (moto, on a local port), as several hosts would share it.
"""

from __future__ import annotations

import io

import pytest

from tests.factories import in_progress_task
from tracker import create_app
from tracker.config import ConfigurationError
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.storage import StorageError, check_name, current_storage
from tracker.tasks import services
from tracker.tasks.evidence import Upload, clean_filename, open_evidence
from tracker.tasks.models import EvidenceFile, ProgressUpdate

PDF = b"%PDF-1.7\n" + b"0" * 100


@pytest.fixture(params=["filesystem", "s3"])
def app_overrides(request) -> dict:
    """Run each test on the directory storage and on the S3 server."""
    if request.param == "s3":
        return request.getfixturevalue("s3_settings")
    return {}


def _report(org, task, now, *files):
    return services.report_progress(
        task,
        actor=org.staff_a,
        now=now,
        percent=60,
        narrative="Đã có biên bản",
        evidence=list(files),
    )


def _stored() -> list[str]:
    return list(current_storage().names())


def test_the_storage_is_the_one_configured(app):
    storage = current_storage()
    if app.config["UPLOAD_STORAGE"] == "s3":
        assert storage.kind == "s3" and storage.bucket == app.config["S3_BUCKET"]
    else:
        assert storage.kind == "filesystem"
        assert str(storage.root) == app.config["UPLOAD_FOLDER"]


def test_evidence_is_stored_with_its_size_and_hash_and_read_back(app, org, now):
    task = in_progress_task(org, now)
    update = _report(org, task, now, Upload("Biên bản họp.pdf", PDF))
    db.session.commit()
    (record,) = update.evidence
    assert record.original_name == "Biên bản họp.pdf"
    assert record.size == len(PDF) and record.content_type == "application/pdf"
    assert _stored() == [record.stored_name]
    with open_evidence(record) as stream:
        assert stream.read() == PDF
    storage = current_storage()
    if storage.kind == "filesystem":
        assert "static" not in storage.path(record.stored_name).parts


def test_a_person_downloads_the_same_bytes(app, client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("cv.tttt")
    data = PDF + bytes(range(256)) * 64  # more than one read of the stream
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "percent": "70",
            "narrative": "Đã số hoá 70% hồ sơ",
            "evidence": [(io.BytesIO(data), "Biên bản.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    record = db.session.query(EvidenceFile).one()
    download = client.get(f"/tasks/{task.id}/evidence/{record.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Length"] == str(len(data))
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Content-Type"] == "application/pdf"


def test_a_file_lost_by_the_storage_is_not_found_not_an_error(app, client, auth, org, now):
    task = in_progress_task(org, now)
    update = _report(org, task, now, Upload("bien-ban.pdf", PDF))
    db.session.commit()
    record = update.evidence[0]
    current_storage().delete(record.stored_name)
    auth.login("cv.tttt")
    assert client.get(f"/tasks/{task.id}/evidence/{record.id}").status_code == 404


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
    assert _stored() == []


def test_files_of_a_rolled_back_report_are_removed(app, org, now):
    task = in_progress_task(org, now)
    update = _report(org, task, now, Upload("bien-ban.pdf", PDF), Upload("ghi-chu.txt", b"ok"))
    names = {record.stored_name for record in update.evidence}
    assert set(_stored()) == names
    db.session.rollback()
    assert _stored() == []
    assert not any(current_storage().exists(name) for name in names)


def test_a_rolled_back_savepoint_removes_only_its_own_files(app, org, now):
    task = in_progress_task(org, now)
    kept = _report(org, task, now, Upload("giu-lai.pdf", PDF)).evidence[0].stored_name
    savepoint = db.session.begin_nested()
    dropped = _report(org, task, now, Upload("bo-di.pdf", PDF)).evidence[0].stored_name
    savepoint.rollback()
    db.session.commit()
    assert _stored() == [kept]
    assert db.session.query(EvidenceFile).one().stored_name == kept
    assert dropped != kept


def test_a_storage_that_cannot_write_refuses_clearly_and_keeps_nothing(app, org, now):
    task = in_progress_task(org, now)
    updates_before = db.session.query(ProgressUpdate).count()
    storage = current_storage()
    if storage.kind == "s3":
        storage.bucket = "khong-co-thung-nay"  # the server answers NoSuchBucket
    else:
        storage.root.parent.mkdir(parents=True, exist_ok=True)
        storage.root.write_bytes(b"")  # a file where the directory should be
    with pytest.raises(ValidationError) as refused:
        _report(org, task, now, Upload("bien-ban.pdf", PDF))
    assert refused.value.code == "storage_unavailable"
    assert "Chưa có gì thay đổi" in refused.value.message
    db.session.rollback()
    assert db.session.query(ProgressUpdate).count() == updates_before
    assert db.session.query(EvidenceFile).count() == 0


@pytest.mark.parametrize("name", ["../../etc/passwd", "ab/cd.pdf", "A" * 32 + ".pdf", ""])
def test_stored_names_from_elsewhere_must_look_generated(name):
    with pytest.raises(StorageError):
        check_name(name)


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


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"UPLOAD_STORAGE": "s3"}, "S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY"),
        (
            {"UPLOAD_STORAGE": "s3", "S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k"},
            "S3_SECRET_ACCESS_KEY",
        ),
        (
            {
                "UPLOAD_STORAGE": "s3",
                "S3_BUCKET": "b",
                "S3_ACCESS_KEY_ID": "k",
                "S3_SECRET_ACCESS_KEY": "s",
                "S3_ENDPOINT_URL": "minio:9000",
            },
            "S3_ENDPOINT_URL",
        ),
        ({"UPLOAD_STORAGE": "nfs"}, "UPLOAD_STORAGE"),
    ],
)
def test_wrong_storage_settings_stop_the_start_naming_them(monkeypatch, tmp_path, settings, named):
    for name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert named in str(refused.value)
