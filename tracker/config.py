"""Settings from the environment, with embedded defaults for a first run."""

from __future__ import annotations

import os
import secrets
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.clock import DEFAULT_TIMEZONE, parse_instant
from tracker.text import nfc


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


# secrets.token_hex(32) gives 64; a shorter key can be guessed offline from one cookie.
MIN_SECRET_KEY_LENGTH = 32


def _secret_key(instance_path: Path, production: bool) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept on disk."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if production and len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigurationError(
                f"SECRET_KEY cần ít nhất {MIN_SECRET_KEY_LENGTH} ký tự ngẫu nhiên, ví dụ "
                "python3 -c 'import secrets; print(secrets.token_hex(32))' "
                f"(SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters)."
            )
        return key
    if production:
        raise ConfigurationError(
            "SECRET_KEY phải được đặt khi TRACKER_ENV=production "
            "(SECRET_KEY must be set when TRACKER_ENV=production)."
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Written with owner-only permissions: the key signs every session cookie.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    elif key_file.stat().st_mode & 0o077:
        # A copy, an unpacked backup or a umask may have opened it to others: close it again.
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} phải là số nguyên (must be an integer): {raw!r}") from exc


def _flag_env(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in ("1", "true", "yes")


def _choice_env(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (os.environ.get(name) or default).strip().lower()
    if raw not in choices:
        raise ConfigurationError(
            f"{name} phải là một trong {', '.join(choices)} (must be one of them): {raw!r}"
        )
    return raw


def log_format() -> str:
    """Return LOG_FORMAT: one JSON object a line by default in production, text elsewhere."""
    production = os.environ.get("TRACKER_ENV", "development") == "production"
    return _choice_env("LOG_FORMAT", ("json", "text"), "json" if production else "text")


def _proxy_count() -> int:
    count = _int_env("TRUSTED_PROXIES", 0)
    if not 0 <= count <= 5:
        raise ConfigurationError(f"TRUSTED_PROXIES phải từ 0 đến 5 (must be 0 to 5): {count}")
    return count


DEFAULT_ORG_NAME = "UBND THÀNH PHỐ HÀ NỘI"
DEFAULT_SUPPORT_CONTACT = "quản trị hệ thống của Văn phòng UBND thành phố"
# The organisation's logo is shown on every page: a small image, of a kind every browser
# shows, recognised by its first bytes rather than by its name.
MAX_LOGO_BYTES = 1024 * 1024
LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(head: bytes) -> str | None:
    """Return the content type of an image from its first bytes (PNG, JPEG, GIF, WebP or
    SVG), or None for anything else."""
    for magic, kind in LOGO_TYPES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<") and b"<svg" in head.lower():
        return "image/svg+xml"
    return None


def _text_env(name: str, default: str) -> str:
    """Return a text setting in NFC, one line, or its default when unset or blank."""
    return " ".join(nfc(os.environ.get(name)).split()) or default


def _org_logo() -> str:
    """Return ORG_LOGO, the path of the organisation's logo, checked now rather than
    when the first page is shown; "" for the built-in emblem."""
    raw = (os.environ.get("ORG_LOGO") or "").strip()
    if not raw:
        return ""
    path = Path(raw).expanduser().resolve()
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise ConfigurationError(
            f"ORG_LOGO: không đọc được tệp ảnh (cannot read the image file): {raw!r}"
        ) from exc
    if size > MAX_LOGO_BYTES or image_type(head) is None:
        raise ConfigurationError(
            "ORG_LOGO phải là tệp ảnh PNG, JPEG, GIF, WebP hoặc SVG, tối đa 1 MB "
            f"(must be a PNG, JPEG, GIF, WebP or SVG image of at most 1 MB): {raw!r}"
        )
    return str(path)


def pinned_now(production: bool) -> datetime | None:
    """Return TRACKER_NOW, the instant the app's clock is pinned to, or None for the
    machine's clock. For tests, benchmarks and rehearsals; refused in production, where a
    stopped clock would stop every deadline."""
    raw = (os.environ.get("TRACKER_NOW") or "").strip()
    if not raw:
        return None
    if production:
        raise ConfigurationError(
            "TRACKER_NOW chỉ dùng để kiểm thử, không đặt khi TRACKER_ENV=production "
            "(TRACKER_NOW pins the clock for tests; it must not be set in production)."
        )
    zone = ZoneInfo(os.environ.get("TRACKER_TIMEZONE", DEFAULT_TIMEZONE))
    try:
        return parse_instant(raw, zone)
    except ValueError as exc:
        raise ConfigurationError(
            f"TRACKER_NOW phải là thời điểm ISO 8601, ví dụ 2026-11-02T09:00 "
            f"(must be an ISO 8601 instant): {raw!r}"
        ) from exc


def database_url(raw: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgresql://…)."""
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def engine_options(url: str) -> dict:
    """Return SQLAlchemy's engine options for the database URL."""
    # A pooled connection the database dropped (restart, failover, idle timeout) is
    # replaced when it is taken from the pool, instead of failing the next request.
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # The planner's JIT compiles the reports' long CASE expressions for longer than
        # they take to run (seconds, against milliseconds): an interactive app wants none.
        options["connect_args"] = {"options": "-c jit=off"}
    return options


def load_settings(instance_path: Path) -> dict:
    """Read every setting of the tracker from the environment."""
    production = os.environ.get("TRACKER_ENV", "development") == "production"
    default_db = f"sqlite:///{instance_path / 'tracker.sqlite3'}"
    url = database_url(os.environ.get("DATABASE_URL") or default_db)
    return {
        "TRACKER_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": url,
        "TRACKER_TIMEZONE": os.environ.get("TRACKER_TIMEZONE", DEFAULT_TIMEZONE),
        # None: the machine's clock. An instant: the clock stands there, or runs on from
        # it with TRACKER_CLOCK_RUNS=1 (tracker.clock).
        "TRACKER_NOW": pinned_now(production),
        "TRACKER_CLOCK_RUNS_FROM": (time.monotonic() if _flag_env("TRACKER_CLOCK_RUNS") else None),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance_path / "uploads"),
        # Where evidence files live: this directory, or an S3-compatible bucket shared by
        # every host (checked at start by tracker.storage).
        "UPLOAD_STORAGE": os.environ.get("UPLOAD_STORAGE", "filesystem"),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
        "S3_PREFIX": os.environ.get("S3_PREFIX", "evidence/"),
        "S3_REGION": os.environ.get("S3_REGION", "us-east-1"),
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        "MAX_UPLOAD_MB": _int_env("MAX_UPLOAD_MB", 20),
        # A request may carry a few evidence files; each is checked against MAX_UPLOAD_MB.
        "MAX_CONTENT_LENGTH": (_int_env("MAX_UPLOAD_MB", 20) * 5 + 1) * 1024 * 1024,
        "DUE_SOON_WORKING_DAYS": _int_env("DUE_SOON_WORKING_DAYS", 3),
        # A running task with no progress report for this many days asks its carrier for one
        # in "Chờ tôi xử lý".
        "PROGRESS_REPORT_DAYS": _int_env("PROGRESS_REPORT_DAYS", 10),
        # A unit is ranked only with at least this many tasks due in the period.
        "RANKING_MIN_TASKS": _int_env("RANKING_MIN_TASKS", 5),
        # A proposal of discipline or transfer without the authority's decision after this
        # many days is flagged for Sở Nội vụ.
        "DISCIPLINE_DECISION_DAYS": _int_env("DISCIPLINE_DECISION_DAYS", 90),
        # Who runs the site: on every page's header, the sign-in page, emails, Excel files.
        "ORG_NAME": _text_env("ORG_NAME", DEFAULT_ORG_NAME),
        # Its logo (a file on this server), or "" for the built-in emblem.
        "ORG_LOGO": _org_logo(),
        # Whom to ask for a new password, named on the sign-in page.
        "SUPPORT_CONTACT": _text_env("SUPPORT_CONTACT", DEFAULT_SUPPORT_CONTACT),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        # Government networks often have no internet: Bootstrap comes from the app itself.
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # "__Host-": the browser takes it only over HTTPS, for this host, path / (V3.4.4).
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        # Absolute lifetime of a sign-in, and how long it may go unused (ASVS V3.3.2 L2:
        # at most 12 hours and 30 minutes).
        "SESSION_HOURS": _int_env("SESSION_HOURS", 8),
        "SESSION_IDLE_MINUTES": _int_env("SESSION_IDLE_MINUTES", 30),
        "PERMANENT_SESSION_LIFETIME": _int_env("SESSION_HOURS", 8) * 3600,
        # How passwords are hashed (see org/passwords.py); tests use a cheaper setting.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:3"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Keeps the counts of two sites (say, training and production) on one Redis apart.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "tracker"),
        # Redis down: count in each process's memory meanwhile, rather than refuse sign-ins.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        # Per username, whatever the address (V2.2.1: at most 100 failures an hour).
        "LOGIN_USER_RATE_LIMIT": os.environ.get(
            "LOGIN_USER_RATE_LIMIT", "10 per 15 minutes;50 per day"
        ),
        # Reverse proxies (nginx) in front that set X-Forwarded-For/-Proto; 0 trusts none.
        "TRUSTED_PROXIES": _proxy_count(),
        "PER_PAGE": 25,
        # Tokens from POST /api/v1/tokens; personal tokens choose their own lifetime.
        "API_TOKEN_HOURS": _int_env("API_TOKEN_HOURS", 12),
        # The OpenAPI description (flask-smorest) and where it is served.
        "API_TITLE": "Nhiệm vụ 5 rõ API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # A receiving system that does not answer within this is tried again later.
        "WEBHOOK_TIMEOUT_SECONDS": _int_env("WEBHOOK_TIMEOUT_SECONDS", 10),
        # How long a message being sent is left alone; if its deliverer dies, it goes again
        # after this. Longer than any send can take (SMTP_TIMEOUT per step of a send).
        "OUTBOX_LEASE_SECONDS": _int_env("OUTBOX_LEASE_SECONDS", 600),
        # Where links in emails point to.
        "BASE_URL": os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int_env("SMTP_PORT", 25),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag_env("SMTP_STARTTLS"),
        "SMTP_TIMEOUT": _int_env("SMTP_TIMEOUT", 20),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "nhiemvu5ro@localhost"),
        # Hourly, in office hours: a reminder should not reach a phone at midnight.
        "SWEEP_HOURS": os.environ.get("SWEEP_HOURS", "7-18"),
        "DIGEST_TIME": os.environ.get("DIGEST_TIME", "07:30"),
        "DELIVERY_INTERVAL_SECONDS": _int_env("DELIVERY_INTERVAL_SECONDS", 30),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TRACKER_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LOG_FORMAT": log_format(),
        "LOG_LEVEL": _choice_env("LOG_LEVEL", ("debug", "info", "warning", "error"), "info"),
        # /metrics answers only to "Authorization: Bearer <METRICS_TOKEN>"; unset, it is a 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
    }
