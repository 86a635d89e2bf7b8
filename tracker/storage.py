"""Where uploaded files live: a directory (local disk or an NFS mount) or an S3 bucket.

Several web hosts must see the same files, so the bytes of evidence live behind this small
interface and the rest of the tracker knows only stored names. Stored names are generated
here (a random hex name and the file's extension), never taken from a person; names read
back from elsewhere (a backup archive) are checked against that shape before use.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

from tracker.config import ConfigurationError

logger = logging.getLogger(__name__)

EXTENSION_KEY = "tracker.storage"
STORED_NAME = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,10})?")
CHUNK = 1024 * 1024


class StorageError(Exception):
    """The storage could not be read or written (disk full, bucket unreachable, …)."""


class StoredFileMissing(StorageError):
    """No file is stored under that name."""


class Storage(Protocol):
    """What the tracker needs from a place that keeps uploaded files."""

    kind: str

    def save(self, stream: BinaryIO, *, suffix: str) -> str:
        """Store the stream under a new name and return it; nothing stays if it fails."""

    def put(self, name: str, stream: BinaryIO) -> None:
        """Store the stream under a given stored name (a restore), replacing any file."""

    def open(self, name: str) -> BinaryIO:
        """Return a binary stream of the stored file, for a download or a backup."""

    def exists(self, name: str) -> bool:
        """Tell whether a file is stored under that name."""

    def delete(self, name: str) -> None:
        """Remove the stored file; a name with no file is not an error."""

    def names(self) -> Iterator[str]:
        """Yield the name of every stored file."""

    def describe(self) -> str:
        """Say where the files are, for messages to an administrator."""


def new_name(suffix: str) -> str:
    """Return a fresh stored name with the given extension (e.g. ``.pdf``)."""
    name = uuid.uuid4().hex + suffix.lower()
    check_name(name)
    return name


def check_name(name: str) -> str:
    """Return the name if it has the shape of a generated one, else raise StorageError."""
    if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
        raise StorageError(f"invalid stored name: {name!r}")
    return name


class _NewNames:
    """What both stores share: a new file gets a new random name, and ``put`` writes it
    (atomically on disk; an upload that failed half-way is deleted)."""

    def save(self, stream: BinaryIO, *, suffix: str) -> str:
        name = new_name(suffix)
        self.put(name, stream)
        return name


class FilesystemStorage(_NewNames):
    """Files in a directory, two levels deep (``ab/abcdef….pdf``), as since the start."""

    kind = "filesystem"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, name: str) -> Path:
        """Return where a stored file lives."""
        check_name(name)
        return self.root / name[:2] / name

    def put(self, name: str, stream: BinaryIO) -> None:
        """Write the stream under that name, atomically."""
        path = self.path(name)
        partial = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "xb") as fh:
                while chunk := stream.read(CHUNK):
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise StorageError(f"cannot write {path}: {exc}") from exc

    def open(self, name: str) -> BinaryIO:
        """Open the stored file for reading."""
        try:
            return open(self.path(name), "rb")
        except FileNotFoundError as exc:
            raise StoredFileMissing(name) from exc
        except OSError as exc:
            raise StorageError(f"cannot read {name}: {exc}") from exc

    def exists(self, name: str) -> bool:
        """Tell whether the file is there."""
        return self.path(name).is_file()

    def delete(self, name: str) -> None:
        """Remove the file if it is there."""
        try:
            self.path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot remove {name}: {exc}") from exc

    def names(self) -> Iterator[str]:
        """Yield every stored file's name; partial files of unfinished writes are skipped."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and STORED_NAME.fullmatch(path.name):
                    yield path.name

    def describe(self) -> str:
        """Name the directory."""
        return str(self.root)


class S3Storage(_NewNames):
    """Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph …), under a prefix."""

    kind = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str,
        secret_access_key: str,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._client_options = {
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
        }
        self._client = None

    @property
    def client(self):
        """The boto3 client, made on first use (clients are thread-safe and reusable)."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
                # S3-compatible servers on a private network are addressed by path, not DNS.
                s3={"addressing_style": "path"},
            )
            self._client = boto3.client("s3", config=config, **self._client_options)
        return self._client

    def key(self, name: str) -> str:
        """Return the object key of a stored name."""
        return self.prefix + check_name(name)

    def put(self, name: str, stream: BinaryIO) -> None:
        """Upload the stream under that name (multipart for large files)."""
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(name)
        try:
            self.client.upload_fileobj(
                stream, self.bucket, key, Config=TransferConfig(use_threads=False)
            )
        except (BotoCoreError, ClientError, OSError) as exc:
            # A timed-out upload may still have been stored: remove it, best effort.
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=key)
            raise StorageError(f"cannot upload s3://{self.bucket}/{key}: {exc}") from exc

    def open(self, name: str) -> BinaryIO:
        """Return the object's body, read as it streams from the server."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(name)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                raise StoredFileMissing(name) from exc
            raise StorageError(f"cannot read s3://{self.bucket}/{key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot read s3://{self.bucket}/{key}: {exc}") from exc

    def exists(self, name: str) -> bool:
        """Ask the server for the object's metadata."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(name)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                return False
            raise StorageError(f"cannot read s3://{self.bucket}/{key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot read s3://{self.bucket}/{key}: {exc}") from exc
        return True

    def delete(self, name: str) -> None:
        """Delete the object (S3 answers the same whether it was there or not)."""
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(name)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot delete s3://{self.bucket}/{key}: {exc}") from exc

    def names(self) -> Iterator[str]:
        """List the objects under the prefix, page by page."""
        from botocore.exceptions import BotoCoreError, ClientError

        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    if STORED_NAME.fullmatch(name):
                        yield name
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot list s3://{self.bucket}/{self.prefix}: {exc}") from exc

    def describe(self) -> str:
        """Name the bucket, the prefix and the server."""
        where = self._client_options["endpoint_url"] or "AWS"
        return f"s3://{self.bucket}/{self.prefix} ({where})"


def _error_code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


S3_REQUIRED = ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")


def storage_from_config(config: Mapping) -> Storage:
    """Build the storage the settings ask for; a missing or wrong setting is refused."""
    kind = (config.get("UPLOAD_STORAGE") or "filesystem").strip().lower()
    if kind == "filesystem":
        return FilesystemStorage(config["UPLOAD_FOLDER"])
    if kind != "s3":
        raise ConfigurationError(
            f"UPLOAD_STORAGE phải là filesystem hoặc s3 (must be filesystem or s3): {kind!r}"
        )
    missing = [name for name in S3_REQUIRED if not config.get(name)]
    if missing:
        raise ConfigurationError(
            f"UPLOAD_STORAGE=s3 cần đặt {', '.join(missing)} "
            f"(UPLOAD_STORAGE=s3 needs {', '.join(missing)})."
        )
    endpoint = config.get("S3_ENDPOINT_URL") or None
    if endpoint and not re.match(r"https?://[^/\s]+", endpoint):
        raise ConfigurationError(
            "S3_ENDPOINT_URL phải là địa chỉ http:// hoặc https:// "
            f"(must be an http:// or https:// address): {endpoint!r}"
        )
    return S3Storage(
        bucket=config["S3_BUCKET"],
        prefix=config.get("S3_PREFIX") or "",
        endpoint_url=endpoint,
        region=config.get("S3_REGION") or None,
        access_key_id=config["S3_ACCESS_KEY_ID"],
        secret_access_key=config["S3_SECRET_ACCESS_KEY"],
    )


def register_storage(app: Flask) -> None:
    """Build the upload storage once per app, at start, so bad settings stop it there."""
    app.extensions[EXTENSION_KEY] = storage_from_config(app.config)


def current_storage() -> Storage:
    """Return the upload storage of the current app."""
    return current_app.extensions[EXTENSION_KEY]
