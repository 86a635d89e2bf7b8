"""A full disk where evidence is written: a clear message in the person's language, the
task unchanged (progress, version, audit trail, evidence), no partial file, and the form
shown again with what was typed.

Two ways: a real 64 KB file system (tmpfs) mounted over the upload folder, when this
machine lets the tests mount one (root; skipped otherwise), and the operating system's
errors injected where the file is written (ENOSPC while writing, EIO at fsync, ENOSPC
creating its folder), which runs everywhere.
"""

from __future__ import annotations

import errno
import io
import os
import pathlib
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import issued_task
from tests.faults import write_summary
from tracker import storage
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.storage import register_storage
from tracker.tasks import services
from tracker.tasks.models import EvidenceFile, ProgressUpdate, Task, TaskState

FULL_VI = "Không lưu được tệp minh chứng (bộ nhớ máy chủ đầy hoặc không ghi được)"
FULL_EN = "The evidence file could not be saved (the server&#39;s storage is full"
SMALL = b"%PDF-1.7\n" + b"a" * 8_000
BIG = b"%PDF-1.7\n" + b"b" * 200_000  # under the 1 MB limit, over what the disk has left


def _accepted_task(org, now) -> Task:
    task = issued_task(org, now)
    services.accept_task(task, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    db.session.commit()
    return task


def _report(client, task_id: int, *files: tuple[bytes, str]):
    return client.post(
        f"/tasks/{task_id}/progress",
        data={
            "percent": "55",
            "narrative": "Đã số hoá hồ sơ của 12 phường",
            "difficulties": "Máy quét hỏng hai ngày",
            "proposals": "Bổ sung một máy quét",
            "evidence": [(io.BytesIO(data), name) for data, name in files],
        },
        content_type="multipart/form-data",
    )


def _snapshot(task_id: int) -> tuple:
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    counted = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (ProgressUpdate, EvidenceFile, AuditEvent)
    )
    snapshot = (task.state, task.progress_percent, task.version, task.last_progress_at, counted)
    db.session.rollback()
    return snapshot


def _files(folder) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def _assert_refused_cleanly(response, folder, before, task_id, english=False) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (FULL_EN if english else FULL_VI) in page
    # What was typed is there to send again.
    for typed in (
        "Đã số hoá hồ sơ của 12 phường",
        "Máy quét hỏng hai ngày",
        "Bổ sung một máy quét",
    ):
        assert typed in page
    assert 'value="55"' in page
    assert "Traceback" not in page
    assert _files(folder) == []  # no partial file, no file of the report at all
    assert _snapshot(task_id) == before


# ------------------------------------------------------------------ a real full disk


@pytest.fixture
def small_disk(app, tmp_path):
    """A 64 KB tmpfs mounted as the upload folder (skipped where mounting is not allowed)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root and mount(8)")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    app.config["UPLOAD_FOLDER"] = str(folder)
    register_storage(app)  # the storage is built from the settings when the app starts
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_refuses_the_report_and_keeps_the_form(app, client, auth, org, now, small_disk):
    task = _accepted_task(org, now)
    auth.login("cv.tttt")
    before = _snapshot(task.id)

    # The first file fits, the second does not: neither stays.
    refused = _report(client, task.id, (SMALL, "Danh sách.pdf"), (BIG, "Biên bản số hoá.pdf"))
    _assert_refused_cleanly(refused, small_disk, before, task.id)

    client.post("/lang/en")
    refused_en = _report(client, task.id, (BIG, "Biên bản số hoá.pdf"))
    _assert_refused_cleanly(refused_en, small_disk, before, task.id, english=True)

    # What fits is stored; the disk itself works.
    assert _report(client, task.id, (SMALL, "Danh sách.pdf")).status_code == 302
    (stored,) = _files(small_disk)
    assert stored.read_bytes() == SMALL
    state, percent, *_ = _snapshot(task.id)
    assert (state, percent) == (TaskState.IN_PROGRESS, 55)
    write_summary(
        "full_disk_tmpfs",
        disk="tmpfs size=64k",
        refused_reports=2,
        partial_files_left=0,
        task_changed_by_refused_reports=False,
        typed_text_shown_again=True,
        stored_after_retry=1,
    )


# ------------------------------------------------------------------ injected errors


class _WriteFails(io.RawIOBase):
    """A file that takes half of what it is given, then the disk is full."""

    def __init__(self, real):
        self.real = real

    def write(self, data) -> int:
        self.real.write(bytes(data[: len(data) // 2]))
        self.real.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self) -> int:
        return self.real.fileno()

    def close(self) -> None:
        self.real.close()
        super().close()


class _OsWithFailingFsync:
    """The os module, except that fsync reports an I/O error (delayed write failure)."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def fsync(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))


def _inject(monkeypatch, where: str, folder: str) -> None:
    if where == "write":
        opener = lambda path, mode: _WriteFails(open(path, mode))  # noqa: E731, SIM115 - closed by the storage's with
        monkeypatch.setattr(storage, "open", opener, raising=False)
    elif where == "fsync":
        monkeypatch.setattr(storage, "os", _OsWithFailingFsync())
    else:
        real_mkdir = pathlib.Path.mkdir

        def mkdir(self, *args, **kwargs):
            if str(self).startswith(folder):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)


@pytest.mark.parametrize("where", ["write", "fsync", "mkdir"])
def test_a_disk_error_while_storing_evidence_refuses_cleanly(
    app, client, auth, org, now, monkeypatch, where
):
    task = _accepted_task(org, now)
    auth.login("cv.tttt")
    folder = app.config["UPLOAD_FOLDER"]
    before = _snapshot(task.id)
    _inject(monkeypatch, where, folder)
    refused = _report(client, task.id, (SMALL, "Danh sách.pdf"), (BIG, "Biên bản.pdf"))
    _assert_refused_cleanly(refused, folder, before, task.id)
    monkeypatch.undo()
    assert _report(client, task.id, (BIG, "Biên bản.pdf")).status_code == 302
    assert [p.read_bytes() for p in _files(folder)] == [BIG]
    write_summary(
        f"disk_error_injected.{where}",
        error={"write": "ENOSPC", "fsync": "EIO", "mkdir": "ENOSPC"}[where],
        refused_reports=1,
        partial_files_left=0,
        task_changed_by_refused_report=False,
        typed_text_shown_again=True,
        stored_after_retry=1,
    )
