"""``tracker backup`` and ``tracker restore``: the demo goes into an archive and comes back
into a fresh instance whole (audit chain, row counts, evidence bytes, sign-in); a damaged
archive or a non-empty target is refused with nothing changed; a backup taken while
another connection writes is consistent.

The demo takes ~20 s to load, so it is loaded once for the module into a database of its
own (a new SQLite file, or a new PostgreSQL database created and dropped here).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from tests.conftest import POSTGRES_URL, _app_for
from tests.factories import in_progress_task
from tracker.audit.services import verify_chain
from tracker.backup.services import MANIFEST, BackupError, check_archive
from tracker.config import database_url
from tracker.demo.catalogue import DEMO_PASSWORD
from tracker.demo.stories import load_demo
from tracker.extensions import db
from tracker.org.models import User
from tracker.org.services import user_by_username
from tracker.storage import current_storage
from tracker.tasks import services
from tracker.tasks.evidence import Upload
from tracker.tasks.models import EvidenceFile, Task, TaskState
from tracker.tasks.services import TaskInput

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40


def _admin_engine() -> sa.Engine:
    url = sa.make_url(database_url(POSTGRES_URL)).set(database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_instance(base: Path, name: str, **overrides) -> Iterator[Flask]:
    """An app on a database that does not exist yet: a new SQLite file, or a new
    PostgreSQL database (created here, dropped afterwards), with its own upload folder."""
    instance = base / f"{name}-{uuid.uuid4().hex[:6]}"
    instance.mkdir()
    database = None
    if POSTGRES_URL:
        url = sa.make_url(database_url(POSTGRES_URL))
        database = f"{url.database}_{name}_{uuid.uuid4().hex[:8]}"
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        engine.dispose()
        address = url.set(database=database).render_as_string(hide_password=False)
    else:
        address = f"sqlite:///{instance / 'tracker.sqlite3'}"
    app = _app_for(address, instance, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if database:
            engine = _admin_engine()
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            engine.dispose()


def _run(app: Flask, *args: str):
    """Run a ``tracker`` command on this app (its own context: the runner would otherwise
    use whichever app's context is current)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _counts() -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    db.session.rollback()
    return counts


def _is_empty(app: Flask) -> bool:
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        stored = list(current_storage().names())
        db.engine.dispose()
    return not tables and not stored


@dataclass
class Source:
    app: Flask
    archive: Path
    counts: dict[str, int]
    stored_name: str
    task_id: int
    file_id: int
    output: str


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Iterator[Source]:
    """The demo and one more evidence file, backed up once with ``tracker backup``."""
    base = tmp_path_factory.mktemp("backup")
    with fresh_instance(base, "source") as app:
        with app.app_context():
            upgrade()
            load_demo(now=NOW)
            db.session.commit()
            task = db.session.scalars(
                sa.select(Task).where(Task.state == TaskState.IN_PROGRESS).order_by(Task.id)
            ).first()
            carrier = db.session.get(User, task.assignee_user_id or task.accountable_user_id)
            update = services.report_progress(
                task,
                actor=carrier,
                now=NOW,
                percent=90,
                narrative="Đã có biên bản nghiệm thu",
                evidence=[Upload("Biên bản nghiệm thu.pdf", PDF)],
            )
            db.session.commit()
            record = update.evidence[0]
            stored_name, task_id, file_id = record.stored_name, task.id, record.id
            counts = _counts()
        archive = base / "sao-luu.tar"
        result = _run(app, "backup", "--output", str(archive))
        assert result.exit_code == 0, result.output
        yield Source(app, archive, counts, stored_name, task_id, file_id, result.output)


def test_backup_writes_one_archive_with_a_manifest_and_says_so(source):
    assert "Đã ghi bản sao lưu" in source.output and str(source.archive) in source.output
    manifest = check_archive(source.archive)
    assert manifest["database"]["kind"] == ("postgresql" if POSTGRES_URL else "sqlite")
    assert manifest["tables"] == {k: v for k, v in source.counts.items()}
    assert manifest["tables"]["tasks"] == 151
    assert manifest["alembic_revision"] and manifest["tracker_version"]
    with source.app.app_context():
        names = set(db.session.scalars(sa.select(EvidenceFile.stored_name)))
        head = db.session.execute(sa.text("SELECT seq, last_hash FROM audit_chain_head")).one()
        db.session.rollback()
    assert {f["name"] for f in manifest["files"]} == names and source.stored_name in names
    assert manifest["audit_chain"] == {"seq": head[0], "last_hash": head[1]}
    assert manifest["missing_files"] == [] and manifest["altered_files"] == []
    with tarfile.open(source.archive) as tar:
        assert MANIFEST in tar.getnames()
    assert not [p for p in source.archive.parent.iterdir() if p.name.endswith(".part")]
    assert source.archive.stat().st_mode & 0o077 == 0  # password hashes inside: owner only


def test_the_demo_comes_back_whole_into_a_fresh_instance(source, tmp_path):
    with fresh_instance(tmp_path, "restore") as target:
        with target.app_context():
            upgrade()  # an empty instance as `tracker db upgrade` leaves it
            db.engine.dispose()
        result = _run(target, "restore", str(source.archive))
        assert result.exit_code == 0, result.output
        assert "Đã khôi phục" in result.output and "nguyên vẹn" in result.output
        with target.app_context():
            assert _counts() == source.counts
            db.session.rollback()
        # Verifying again keeps its result (one more job_runs row), and the chain holds.
        verified = _run(target, "audit", "verify")
        assert verified.exit_code == 0 and "nguyên vẹn" in verified.output
        with target.app_context():
            assert current_storage().kind == "filesystem"
            with current_storage().open(source.stored_name) as stream:
                assert stream.read() == PDF
            task = db.session.get(Task, source.task_id)
            carrier = db.session.get(User, task.assignee_user_id or task.accountable_user_id)
            username = carrier.username
            db.session.rollback()
        client = target.test_client()
        signed_in = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302
        download = client.get(f"/tasks/{source.task_id}/evidence/{source.file_id}")
        assert download.status_code == 200 and download.data == PDF
        # The restored instance takes new work: its sequences went on from the backup's.
        with target.app_context():
            assistant = user_by_username("vanphong")
            services.create_draft(
                TaskInput(title="Việc mới sau khôi phục"), actor=assistant, now=NOW
            )
            db.session.commit()
            assert verify_chain().ok
            db.session.rollback()


def _flip_a_byte(archive: Path, member: str, copy: Path) -> None:
    shutil.copy(archive, copy)
    with tarfile.open(copy) as tar:
        offset = tar.getmember(member).offset_data + 10
    with open(copy, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))


@pytest.fixture(scope="module")
def empty_target(tmp_path_factory) -> Iterator[Flask]:
    """One fresh instance for the refusals, which must all leave it empty."""
    with fresh_instance(tmp_path_factory.mktemp("empty"), "empty") as target:
        yield target


@pytest.mark.parametrize("member", ["evidence", "database"])
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    source, empty_target, tmp_path, member
):
    manifest = check_archive(source.archive)
    name = f"files/{source.stored_name}" if member == "evidence" else manifest["database"]["member"]
    damaged = tmp_path / "hong.tar"
    _flip_a_byte(source.archive, name, damaged)
    result = _run(empty_target, "restore", str(damaged))
    assert result.exit_code != 0
    assert "không khớp tổng kiểm tra" in result.output and name in result.output
    assert "Chưa có gì thay đổi" in result.output
    assert _is_empty(empty_target)


def test_a_truncated_or_foreign_file_is_refused(source, empty_target, tmp_path):
    cut = tmp_path / "cut.tar"
    cut.write_bytes(source.archive.read_bytes()[:100_000])
    foreign = tmp_path / "other.tar"
    with tarfile.open(foreign, "w") as tar:
        tar.add(__file__, arcname="notes.txt")
    for archive in (cut, foreign, tmp_path / "khong-co.tar"):
        result = _run(empty_target, "restore", str(archive))
        assert result.exit_code != 0 and "Không khôi phục" in result.output, result.output
    assert _is_empty(empty_target)


def test_a_backup_taken_while_tasks_are_written_is_consistent(source, tmp_path, s3_settings):
    """Another connection keeps drafting tasks before, during and after the backup."""
    written, stop, failures = [], threading.Event(), []

    def write_tasks() -> None:
        with source.app.app_context():
            try:
                actor = user_by_username("vanphong")
                for n in range(2000):  # bounded; stopped once the backup is done
                    if stop.is_set():
                        break
                    services.create_draft(
                        TaskInput(title=f"Việc ghi song song {n}"), actor=actor, now=NOW
                    )
                    db.session.commit()
                    written.append(n)
            except Exception as exc:  # reported by the test below, not lost in the thread
                failures.append(exc)
            finally:
                db.session.remove()

    def wait_for(count: int) -> None:
        while len(written) < count and not failures and writer.is_alive():
            threading.Event().wait(0.01)

    writer = threading.Thread(target=write_tasks)
    writer.start()
    try:
        wait_for(3)
        archive = tmp_path / "dang-ghi.tar"
        result = _run(source.app, "backup", "--output", str(archive))
        after_backup = len(written)
        wait_for(after_backup + 3)
    finally:
        stop.set()
        writer.join()
    assert not failures, failures
    assert result.exit_code == 0, result.output
    manifest = check_archive(archive)
    with source.app.app_context():
        live_tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task))
        db.session.rollback()
    # The snapshot fell between the writer's first and last tasks.
    assert source.counts["tasks"] < manifest["tables"]["tasks"] < live_tasks
    # Restored into an instance keeping its files in S3, this time.
    with fresh_instance(tmp_path, "during", **s3_settings) as target:
        restored = _run(target, "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        with target.app_context():
            assert _counts() == manifest["tables"]
            assert sorted(current_storage().names()) == sorted(f["name"] for f in manifest["files"])
            with current_storage().open(source.stored_name) as stream:
                assert stream.read() == PDF
            report = verify_chain()
            assert report.ok and report.checked == manifest["audit_chain"]["seq"]
            db.session.rollback()


@pytest.fixture
def app_overrides(s3_settings) -> dict:
    """The small backups below are taken from an instance keeping its files in S3."""
    return s3_settings


def test_a_backup_from_s3_storage_restores_into_a_directory(app, org, now, tmp_path):
    task = in_progress_task(org, now)
    kept = services.report_progress(
        task,
        actor=org.staff_a,
        now=now,
        percent=50,
        narrative="Có minh chứng",
        evidence=[Upload("bien-ban.pdf", PDF), Upload("mat.txt", b"se bi mat")],
    ).evidence
    db.session.commit()
    lost = kept[1].stored_name
    current_storage().delete(lost)  # storage lost one: the backup says so, and goes on
    archive = tmp_path / "s3.tar"
    result = _run(app, "backup", "--output", str(archive))
    assert result.exit_code == 0, result.output
    assert "CẢNH BÁO" in result.output and lost in result.output
    manifest = check_archive(archive)
    assert [f["name"] for f in manifest["files"]] == [kept[0].stored_name]
    assert manifest["missing_files"] == [lost]

    current_storage().bucket = "thung-khong-ton-tai"  # now the bucket is unreachable
    failed = tmp_path / "hong.tar"
    refused = _run(app, "backup", "--output", str(failed))
    assert refused.exit_code != 0 and "không có tệp nào được ghi" in refused.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance", "s3.tar"]

    with fresh_instance(tmp_path / "instance", "fs") as target:
        restored = _run(target, "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        with target.app_context():
            assert current_storage().kind == "filesystem"
            with current_storage().open(kept[0].stored_name) as stream:
                assert stream.read() == PDF
            assert verify_chain().ok
            db.session.rollback()


def test_restore_into_a_database_with_data_is_refused_and_changes_nothing(source, app, org):
    before = _counts()
    result = _run(app, "restore", str(source.archive))
    assert result.exit_code != 0
    assert "đã có dữ liệu" in result.output and "Chưa có gì thay đổi" in result.output
    assert _counts() == before
    assert list(current_storage().names()) == []


def _archive_with(path: Path, manifest: dict, members: dict[str, bytes], link: str = "") -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in {**members, MANIFEST: json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return path


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"files": [{"name": "../../etc/passwd", "size": 1, "sha256": "x"}]}, "manifest"),
        ({"tables": {'tasks"; DROP TABLE users; --': 1}}, "tên bảng"),
        ({"format_version": 99}, "định dạng 99"),
        ({"format": "other"}, "không phải bản sao lưu"),
        ({"link": "files/0123456789abcdef0123456789abcdef.pdf"}, "tệp lạ"),
        ({"extra": "notes.txt"}, "không nằm trong manifest"),
    ],
)
def test_a_hostile_archive_is_refused_before_anything_is_read_from_it(tmp_path, change, reason):
    database = b"SQLite format 3\x00"
    manifest = {
        "format": "tracker-backup",
        "format_version": 1,
        "database": {
            "kind": "sqlite",
            "member": "database/tracker.sqlite3",
            "size": len(database),
            "sha256": hashlib.sha256(database).hexdigest(),
        },
        "tables": {"tasks": 0},
        "audit_chain": {"seq": 0, "last_hash": "0" * 64},
        "files": [],
    }
    link, extra = change.pop("link", ""), change.pop("extra", "")
    manifest.update(change)
    members = {"database/tracker.sqlite3": database}
    if extra:
        members[extra] = b"hello"
    archive = _archive_with(tmp_path / "x.tar", manifest, members, link)
    with pytest.raises(BackupError) as refused:
        check_archive(archive)
    assert reason in refused.value.message and "Chưa có gì thay đổi" in refused.value.message
