"""Write a backup archive and restore one, checking everything that can be checked.

An archive is a plain tar file (random access to its members, so a restore can check
every checksum before it changes anything):

    manifest.json                 what is inside, and the facts to check a restore against
    database/tracker.sqlite3      SQLite: a copy made with SQLite's online backup API
    database/tracker.pgdump       PostgreSQL: ``pg_dump --format=custom``
    files/<stored name>           every evidence file the snapshot refers to

The snapshot is consistent: SQLite's backup API copies one read transaction; on PostgreSQL
a REPEATABLE READ transaction exports its snapshot to pg_dump and reads the manifest's row
counts, audit chain head and file list in that same snapshot, so writes that go on during
the backup are in neither the dump nor the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import URL

from tracker.audit.models import GENESIS_HASH
from tracker.audit.services import verify_chain
from tracker.errors import TrackerError
from tracker.extensions import db
from tracker.storage import Storage, StorageError, StoredFileMissing, check_name

logger = logging.getLogger(__name__)

FORMAT = "tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/tracker.sqlite3", "postgresql": "database/tracker.pgdump"}
FILES = "files/"
CHUNK = 1024 * 1024
# Tables Alembic and the migrations own; the rest are counted and must be empty on restore.
UNCOUNTED = {"alembic_version"}
PG_TIMEOUT_SECONDS = 6 * 3600
TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class BackupError(TrackerError):
    """A backup or restore cannot be done; the message says why and what to do."""

    status = 400
    code = "backup_error"


@dataclass
class BackupResult:
    path: Path
    manifest: dict

    def summary(self) -> str:
        """Say what was written, Vietnamese first."""
        m = self.manifest
        rows = sum(m["tables"].values())
        size = sum(f["size"] for f in m["files"])
        kind = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[m["database"]["kind"]]
        return (
            f"Đã ghi bản sao lưu {self.path}: cơ sở dữ liệu {kind} ({rows} dòng trong "
            f"{len(m['tables'])} bảng), {len(m['files'])} tệp minh chứng ({_mb(size)}), "
            f"nhật ký kiểm toán đến sự kiện số {m['audit_chain']['seq']}.\n"
            f"(Backup written to {self.path}: {kind} database, {rows} rows in "
            f"{len(m['tables'])} tables, {len(m['files'])} evidence files, audit chain "
            f"up to event {m['audit_chain']['seq']}.)"
        )

    def warnings(self) -> list[str]:
        """Name the evidence files that storage lost or changed, if any."""
        notes = []
        missing, altered = self.manifest["missing_files"], self.manifest["altered_files"]
        if missing:
            notes.append(
                f"CẢNH BÁO: {len(missing)} tệp minh chứng không còn trong kho lưu trữ, "
                f"không có trong bản sao lưu (missing from storage): {', '.join(missing[:10])}"
            )
        if altered:
            notes.append(
                f"CẢNH BÁO: {len(altered)} tệp minh chứng đã khác với lúc tải lên "
                f"(changed since upload, kept as found): {', '.join(altered[:10])}"
            )
        return notes


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    chain_checked: int
    problems: list[str] = field(default_factory=list)
    upgrade_needed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _mb(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _database_kind() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {name} (unsupported database).")
    return name


def _counted_tables() -> list[str]:
    return [table.name for table in db.metadata.sorted_tables if table.name not in UNCOUNTED]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(query: Callable[[str], list[tuple]], tables: list[str]) -> dict[str, Any]:
    """Read what the manifest records, through one connection that sees the snapshot."""
    revision = query("SELECT version_num FROM alembic_version")
    head = query("SELECT seq, last_hash FROM audit_chain_head WHERE id = 1")
    seq, last_hash = head[0] if head else (0, GENESIS_HASH)
    return {
        "alembic_revision": revision[0][0] if revision else None,
        "tables": {
            name: int(query(f"SELECT count(*) FROM {_quote(name)}")[0][0]) for name in tables
        },
        "audit_chain": {"seq": int(seq), "last_hash": last_hash},
        "evidence": [
            (name, int(size), sha256)
            for name, size, sha256 in query(
                "SELECT stored_name, size, sha256 FROM evidence_files ORDER BY id"
            )
        ],
    }


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(
            "Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu hay khôi phục được "
            "(an in-memory SQLite database cannot be backed up or restored)."
        )
    return Path(url.database).resolve()


def _snapshot_sqlite(workdir: Path, tables: list[str]) -> tuple[Path, dict]:
    """Copy the database with SQLite's online backup API and read the facts from the copy."""
    copy = workdir / "tracker.sqlite3"
    source = sqlite3.connect(_sqlite_path(db.engine.url), timeout=15)
    target = sqlite3.connect(copy)
    try:
        # One step (pages=-1): the whole copy comes from a single read transaction.
        source.backup(target)
        # The copy stands alone as one file; the tracker turns WAL back on when it opens it.
        target.execute("PRAGMA journal_mode = DELETE")
        facts = _facts(lambda sql: target.execute(sql).fetchall(), tables)
    finally:
        target.close()
        source.close()
    return copy, facts


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection string without the password, and an env that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Không tìm thấy {name}; hãy cài gói postgresql-client cùng phiên bản với máy chủ "
            f"({name} not found: install postgresql-client matching the server)."
        )
    return path


def _run_pg(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{what} không chạy được ({what} failed): {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise BackupError(f"{what} báo lỗi ({what} failed, exit {done.returncode}):\n{detail}")


def _snapshot_postgres(workdir: Path, tables: list[str]) -> tuple[Path, dict]:
    """pg_dump inside a snapshot this connection holds, reading the facts in the same one."""
    dump = workdir / "tracker.pgdump"
    pg_dump = _pg_tool("pg_dump")
    conninfo, env = _libpq(db.engine.url)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            facts = _facts(lambda sql: conn.execute(sa.text(sql)).all(), tables)
            # The snapshot stays importable while this transaction is open.
            _run_pg(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-password",
                    f"--file={dump}",
                    f"--dbname={conninfo}",
                ],
                env,
                "pg_dump",
            )
    return dump, facts


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tracker_version() -> str:
    try:
        return metadata.version("tracker")
    except metadata.PackageNotFoundError:
        return "unknown"


def _add_bytes(tar: tarfile.TarFile, name: str, stream: BinaryIO, size: int, now: datetime):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(now.timestamp()), 0o600
    tar.addfile(info, stream)


def _add_evidence(
    tar: tarfile.TarFile, storage: Storage, evidence: list[tuple[str, int, str]], now: datetime
) -> tuple[list[dict], list[str], list[str]]:
    """Copy each file the snapshot refers to from storage, hashing what was really read."""
    files, missing, altered = [], [], []
    for name, _size, recorded_sha in evidence:
        try:
            source = storage.open(name)
        except StoredFileMissing:
            missing.append(name)
            continue
        # Spooled: small files stay in memory; the real size is known before the tar header.
        with source, tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
            digest, size = hashlib.sha256(), 0
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            spool.seek(0)
            _add_bytes(tar, FILES + name, spool, size, now)
        sha = digest.hexdigest()
        if sha != recorded_sha:
            altered.append(name)
        files.append({"name": name, "size": size, "sha256": sha})
    return files, missing, altered


def _temporary_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.part")


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def create_backup(output: Path, storage: Storage, *, now: datetime) -> BackupResult:
    """Write one archive: database snapshot, evidence files and manifest; all or nothing."""
    output = Path(output).resolve()
    if output.exists():
        raise BackupError(
            f"Tệp {output} đã có; hãy chọn tên khác ({output} exists: choose another name)."
        )
    if not output.parent.is_dir():
        raise BackupError(f"Không có thư mục {output.parent} (no such directory).")
    kind = _database_kind()
    tables = _counted_tables()
    partial = _temporary_name(output)
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".tracker-backup-") as work:
            snapshot = _snapshot_sqlite if kind == "sqlite" else _snapshot_postgres
            database, facts = snapshot(Path(work), tables)
            # Owner-only: the archive holds password hashes and every piece of evidence.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                member = DATABASE_MEMBERS[kind]
                with open(database, "rb") as fh:
                    _add_bytes(tar, member, fh, database.stat().st_size, now)
                files, missing, altered = _add_evidence(tar, storage, facts["evidence"], now)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": now.isoformat(),
                    "tracker_version": _tracker_version(),
                    "alembic_revision": facts["alembic_revision"],
                    "database": {
                        "kind": kind,
                        "member": member,
                        "size": database.stat().st_size,
                        "sha256": _sha256_of(database),
                    },
                    "tables": facts["tables"],
                    "audit_chain": facts["audit_chain"],
                    "files": files,
                    "missing_files": missing,
                    "altered_files": altered,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                _add_bytes(tar, MANIFEST, io.BytesIO(body), len(body), now)
        _fsync(partial)
        os.replace(partial, output)
    except (OSError, StorageError, tarfile.TarError, sa.exc.SQLAlchemyError) as exc:
        raise BackupError(
            f"Sao lưu không thành công, không có tệp nào được ghi (backup failed, nothing "
            f"written): {exc}"
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    logger.info(
        "Backup %s written: %s tables, %s files", output, len(manifest["tables"]), len(files)
    )
    return BackupResult(output, manifest)


# ---- restore -------------------------------------------------------------------------


def _refuse(reason: str) -> BackupError:
    return BackupError(
        f"Không khôi phục: {reason} Chưa có gì thay đổi (restore refused, nothing changed)."
    )


def _member_digest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    digest = hashlib.sha256()
    stream = tar.extractfile(member)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict:
    if MANIFEST not in members:
        raise _refuse("tệp không có manifest.json (not a tracker backup).")
    try:
        manifest = json.loads(tar.extractfile(members[MANIFEST]).read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(f"manifest.json hỏng (manifest unreadable): {exc}.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse("đây không phải bản sao lưu của hệ thống (not a tracker backup).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            f"bản sao lưu định dạng {manifest.get('format_version')!r}, phiên bản này đọc được "
            f"định dạng {FORMAT_VERSION} (unsupported format version)."
        )
    return manifest


def _expected_members(manifest: dict) -> dict[str, tuple[int, str]]:
    """Return member name → (size, sha256) as the manifest states them, checking its shape."""
    try:
        database = manifest["database"]
        if database["kind"] not in DATABASE_MEMBERS:
            raise _refuse(f"loại cơ sở dữ liệu lạ: {database['kind']!r} (unknown database).")
        expected = {DATABASE_MEMBERS[database["kind"]]: (database["size"], database["sha256"])}
        for item in manifest["files"]:
            expected[FILES + check_name(item["name"])] = (item["size"], item["sha256"])
        tables = manifest["tables"]
        if not all(
            isinstance(name, str) and TABLE_NAME.fullmatch(name) and isinstance(count, int)
            for name, count in tables.items()
        ):
            raise _refuse("manifest.json có tên bảng hay số dòng không hợp lệ (bad row counts).")
        manifest["audit_chain"]["seq"], manifest["audit_chain"]["last_hash"]
    except (KeyError, TypeError, AttributeError, StorageError) as exc:
        raise _refuse(f"manifest.json thiếu hoặc sai mục (manifest malformed): {exc}.") from exc
    return expected


def check_archive(path: Path) -> dict:
    """Check the archive against its manifest (every size and SHA-256); return the manifest."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(f"không có tệp {path} (no such file).")
    try:
        with tarfile.open(path, "r:") as tar:
            members: dict[str, tarfile.TarInfo] = {}
            for member in tar.getmembers():
                pure = PurePosixPath(member.name)
                if not member.isfile() or pure.is_absolute() or ".." in pure.parts:
                    raise _refuse(f"tệp lạ trong bản sao lưu: {member.name!r} (unsafe member).")
                if member.name in members:
                    raise _refuse(f"tệp lặp lại: {member.name!r} (duplicate member).")
                members[member.name] = member
            manifest = _read_manifest(tar, members)
            expected = _expected_members(manifest)
            extra = sorted(set(members) - set(expected) - {MANIFEST})
            if extra:
                raise _refuse(f"có tệp không nằm trong manifest: {extra[0]} (unlisted member).")
            for name, (size, sha256) in expected.items():
                member = members.get(name)
                if member is None:
                    raise _refuse(f"thiếu {name} (member missing).")
                if member.size != size or _member_digest(tar, member) != sha256:
                    raise _refuse(
                        f"{name} không khớp tổng kiểm tra trong manifest, bản sao lưu đã hỏng "
                        f"({name} does not match its checksum: the archive is damaged)."
                    )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _refuse(
            f"không đọc được {path} như một bản sao lưu (unreadable archive): {exc}."
        ) from exc
    return manifest


def _rows_in_target() -> dict[str, int]:
    """Return the tables of the target database that hold rows (none for an empty one)."""
    tables = sa.inspect(db.engine).get_table_names()
    filled = {}
    with db.engine.connect() as conn:
        for name in tables:
            if name in UNCOUNTED:
                continue
            count = conn.execute(sa.text(f"SELECT count(*) FROM {_quote(name)}")).scalar_one()
            if count:
                filled[name] = count
    return filled


def _known_revision(revision: str | None) -> tuple[bool, bool]:
    """Return (known to this code, older than its head)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tracker.observability.health import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    if revision is None:
        return False, False
    try:
        script.get_revision(revision)
    except Exception:  # alembic raises several kinds for an unknown id
        return False, False
    return True, revision != script.get_current_head()


def _put_files(
    tar: tarfile.TarFile, storage: Storage, manifest: dict
) -> tuple[list[str], list[str]]:
    """Put every file into storage; return (all names, names that were not there before)."""
    names, created = [], []
    try:
        for item in manifest["files"]:
            name = item["name"]
            existed = storage.exists(name)
            storage.put(name, tar.extractfile(FILES + name))
            names.append(name)
            if not existed:
                created.append(name)
    except StorageError as exc:
        _remove(storage, created)
        raise _refuse(
            f"không ghi được tệp vào {storage.describe()} (storage failed): {exc}."
        ) from exc
    return names, created


def _remove(storage: Storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except StorageError as exc:
            logger.warning("Restored file %s not removed after a failed restore: %s", name, exc)


def _restore_sqlite(tar: tarfile.TarFile, member: str) -> None:
    target = _sqlite_path(db.engine.url)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _temporary_name(target)
    try:
        with tar.extractfile(member) as source, open(partial, "xb") as fh:
            shutil.copyfileobj(source, fh, CHUNK)
            fh.flush()
            os.fsync(fh.fileno())
        # The empty database's journal must not be replayed onto the restored file.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _restore_postgres(tar: tarfile.TarFile, member: str, workdir: Path) -> None:
    dump = workdir / "tracker.pgdump"
    with tar.extractfile(member) as source, open(dump, "wb") as fh:
        shutil.copyfileobj(source, fh, CHUNK)
    conninfo, env = _libpq(db.engine.url)
    _run_pg(
        [
            _pg_tool("pg_restore"),
            # One transaction: a failed restore leaves the target as it was.
            "--single-transaction",
            "--exit-on-error",
            # Tables an empty instance already has (tracker db upgrade) are replaced.
            "--clean",
            "--if-exists",
            # The target's owner and grants are the administrator's, not the source's.
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _check_restored(manifest: dict) -> tuple[int, list[str]]:
    """Walk the restored audit chain and compare the row counts with the manifest."""
    problems = []
    try:
        report = verify_chain()
        if not report.ok:
            problems.append(
                f"chuỗi nhật ký kiểm toán bị phá vỡ tại sự kiện số {report.broken_seq}: "
                f"{report.reason} (audit chain broken)"
            )
        head = db.session.execute(
            sa.text("SELECT seq, last_hash FROM audit_chain_head WHERE id = 1")
        ).first()
        for name, expected in manifest["tables"].items():
            count = db.session.execute(sa.text(f"SELECT count(*) FROM {_quote(name)}")).scalar()
            if count != expected:
                problems.append(f"bảng {name}: {count} dòng, manifest ghi {expected} (row count)")
    finally:
        db.session.rollback()  # only read: end the read transaction
    seq, last_hash = head if head else (0, GENESIS_HASH)
    chain = manifest["audit_chain"]
    if (seq, last_hash) != (chain["seq"], chain["last_hash"]):
        problems.append(
            f"đầu chuỗi nhật ký là sự kiện số {seq}, manifest ghi {chain['seq']} (chain head)"
        )
    return report.checked, problems


def restore_backup(path: Path, storage: Storage) -> RestoreResult:
    """Check the archive, refuse a non-empty target, restore files and database, verify."""
    manifest = check_archive(path)
    kind = _database_kind()
    if manifest["database"]["kind"] != kind:
        raise _refuse(
            f"bản sao lưu là cơ sở dữ liệu {manifest['database']['kind']}, nơi khôi phục là "
            f"{kind} (the backup and the target are different kinds of database)."
        )
    known, older = _known_revision(manifest.get("alembic_revision"))
    if not known:
        raise _refuse(
            f"bản sao lưu ở phiên bản lược đồ {manifest.get('alembic_revision')!r} mà phiên bản "
            "này không biết; hãy cài phiên bản hệ thống mới hơn (schema revision unknown here)."
        )
    try:
        filled = _rows_in_target()
    except sa.exc.SQLAlchemyError as exc:
        raise _refuse(
            f"không đọc được cơ sở dữ liệu đích (cannot read the target database): {exc}"
        ) from exc
    if filled:
        largest = sorted(filled.items(), key=lambda item: -item[1])[:5]
        tables = ", ".join(f"{name} ({count})" for name, count in largest)
        raise _refuse(
            "cơ sở dữ liệu đích đã có dữ liệu: "
            f"{tables}. Chỉ khôi phục vào một hệ thống trống (the target database is not "
            "empty: restore only into an empty instance)."
        )
    # Nothing of ours may hold a connection while the database is replaced.
    db.session.remove()
    db.engine.dispose()
    with tarfile.open(path, "r:") as tar:
        names, created = _put_files(tar, storage, manifest)
        member = manifest["database"]["member"]
        try:
            if kind == "sqlite":
                _restore_sqlite(tar, member)
            else:
                with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
                    _restore_postgres(tar, member, Path(work))
        except (BackupError, OSError, tarfile.TarError) as exc:
            _remove(storage, created)
            message = exc.message if isinstance(exc, BackupError) else str(exc)
            raise _refuse(
                f"không khôi phục được cơ sở dữ liệu (database restore failed): {message}"
            ) from exc
    db.engine.dispose()
    try:
        checked, problems = _check_restored(manifest)
    except sa.exc.SQLAlchemyError as exc:
        checked, problems = 0, [f"không kiểm tra được dữ liệu đã khôi phục (check failed): {exc}"]
    logger.info("Backup %s restored: %s files, problems: %s", path, len(names), len(problems))
    return RestoreResult(manifest, len(names), checked, problems, older)
