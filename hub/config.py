"""Settings come from the environment (prefix ``HUB_``) so several instances can run side by side.

A ``.env`` file in the working directory is read first; real environment variables win over it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> (config key, default); the default may depend on the instance folder.
ENV_SETTINGS: dict[str, str] = {
    "HUB_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "HUB_INDEX_DIR": "SEARCH_INDEX_DIR",
    "HUB_DATA_DIR": "DATA_DIR",
    "HUB_SECRET_KEY": "SECRET_KEY",
    "HUB_MAX_UPLOAD_MB": "MAX_UPLOAD_MB",
    "HUB_PER_PAGE": "PER_PAGE",
    "HUB_INDEX_WRITER_TIMEOUT": "INDEX_WRITER_TIMEOUT",
    "HUB_HEALTH_MIN_FREE_MB": "HEALTH_MIN_FREE_MB",
    "HUB_INDEX_REBUILD_PROCS": "INDEX_REBUILD_PROCS",
    "HUB_INDEX_REBUILD_PARALLEL_FROM": "INDEX_REBUILD_PARALLEL_FROM",
    "HUB_CHECK_INDEX_ON_START": "CHECK_INDEX_ON_START",
    "HUB_INDEX_HOST": "INDEX_HOST_NAME",
    "HUB_INDEX_FOLLOW": "INDEX_FOLLOW",
    "HUB_INDEX_FOLLOW_INTERVAL": "INDEX_FOLLOW_INTERVAL",
    "HUB_INDEX_HOST_LIVE_SECONDS": "INDEX_HOST_LIVE_SECONDS",
    "HUB_INDEX_GAP_SECONDS": "INDEX_GAP_SECONDS",
    "HUB_INDEX_HEARTBEAT_SECONDS": "INDEX_HEARTBEAT_SECONDS",
    "HUB_INDEX_CHECK_SECONDS": "INDEX_CHECK_SECONDS",
    "HUB_INDEX_PRUNE_SECONDS": "INDEX_PRUNE_SECONDS",
    "HUB_ENV": "HUB_ENV",
    "HUB_MAIL_SERVER": "MAIL_SERVER",
    "HUB_MAIL_PORT": "MAIL_PORT",
    "HUB_MAIL_FROM": "MAIL_FROM",
    "HUB_MAIL_USERNAME": "MAIL_USERNAME",
    "HUB_MAIL_PASSWORD": "MAIL_PASSWORD",
    "HUB_MAIL_USE_TLS": "MAIL_USE_TLS",
    "HUB_AUDIT_LOG": "AUDIT_LOG",
    "HUB_PUBLIC_URL": "PUBLIC_URL",
    "HUB_SEARCH_ANALYTICS_KEEP_DAYS": "SEARCH_ANALYTICS_KEEP_DAYS",
    "HUB_CONTACT_EMAIL": "CONTACT_EMAIL",
    # How many reverse proxies stand in front (their X-Forwarded-For is believed); 0: none.
    "HUB_PROXY_COUNT": "PROXY_COUNT",
    # Background jobs (hub/jobs, docs/architecture.md): the queue's storage and its retries.
    "HUB_JOBS_REDIS_URL": "JOBS_REDIS_URL",
    "HUB_JOBS_SQLITE_PATH": "JOBS_SQLITE_PATH",
    "HUB_JOBS_WORKERS": "JOBS_WORKERS",
    "HUB_JOBS_RETRIES": "JOBS_RETRIES",
    "HUB_JOBS_RETRY_DELAY": "JOBS_RETRY_DELAY",
    "HUB_JOBS_RETRY_BACKOFF": "JOBS_RETRY_BACKOFF",
    "HUB_JOBS_CLAIM_TIMEOUT": "JOBS_CLAIM_TIMEOUT",
    "HUB_JOBS_IMMEDIATE": "JOBS_IMMEDIATE",
}

INTEGERS = {
    "MAX_UPLOAD_MB",
    "PER_PAGE",
    "MAIL_PORT",
    "SEARCH_ANALYTICS_KEEP_DAYS",
    "PROXY_COUNT",
    "INDEX_REBUILD_PROCS",
    "INDEX_REBUILD_PARALLEL_FROM",
    "HEALTH_MIN_FREE_MB",
}
JOB_INTEGERS = {"JOBS_WORKERS", "JOBS_RETRIES", "JOBS_RETRY_DELAY", "JOBS_CLAIM_TIMEOUT"}


def _coerce(key: str, value: str) -> Any:
    if key in INTEGERS | JOB_INTEGERS:
        return int(value)
    if key in FLOAT_SETTINGS | {"JOBS_RETRY_BACKOFF"}:
        return float(value)
    if key in {"CHECK_INDEX_ON_START", "MAIL_USE_TLS", "JOBS_IMMEDIATE"}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


FLOAT_SETTINGS = {
    "INDEX_WRITER_TIMEOUT",
    "INDEX_FOLLOW_INTERVAL",
    "INDEX_HOST_LIVE_SECONDS",
    "INDEX_GAP_SECONDS",
    "INDEX_HEARTBEAT_SECONDS",
    "INDEX_CHECK_SECONDS",
    "INDEX_PRUNE_SECONDS",
}

KNOWN_ENVIRONMENTS = {"development", "production"}


class UnsafeConfiguration(RuntimeError):
    """The app refuses to start in production with settings that would expose it."""


def production_problems(settings: dict[str, Any]) -> list[str]:
    """What makes these settings unsafe for production (empty when they are fine)."""
    problems = []
    if settings.get("DEBUG"):
        problems.append("DEBUG is on")
    if len(str(settings.get("SECRET_KEY") or "").encode()) < 32 or settings.get(
        "SECRET_KEY_GENERATED"
    ):
        problems.append("HUB_SECRET_KEY must be set to at least 32 random bytes")
    if not settings.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off")
    if not settings.get("REMEMBER_COOKIE_SECURE"):
        problems.append("REMEMBER_COOKIE_SECURE is off")
    if not settings.get("MAX_CONTENT_LENGTH"):
        problems.append("MAX_CONTENT_LENGTH is not set")
    if settings.get("TESTING"):
        problems.append("TESTING is on")
    return problems


def _instance_secret(instance_path: Path) -> str:
    """A development key kept in instance/ so sessions survive restarts without any set-up."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _job_settings(settings: dict[str, Any]) -> None:
    """Defaults of the job queue (hub/jobs). Tests run every job synchronously at enqueue
    (immediate mode). A retry there could only wait in a schedule nothing reads, so immediate
    mode gives one attempt unless the settings ask for retries (a test that checks retries
    does, and runs the schedule itself)."""
    immediate = bool(settings.setdefault("JOBS_IMMEDIATE", bool(settings.get("TESTING"))))
    settings.setdefault("JOBS_REDIS_URL", "")
    settings.setdefault("JOBS_SQLITE_PATH", str(Path(settings["DATA_DIR"]) / "jobs.sqlite"))
    settings.setdefault("JOBS_WORKERS", 2)  # threads of one consumer
    settings.setdefault("JOBS_RETRIES", 0 if immediate else 6)
    settings.setdefault("JOBS_RETRY_DELAY", 30)  # seconds before the first retry
    settings.setdefault("JOBS_RETRY_BACKOFF", 2.0)  # each wait is this many times the last
    # A claim on a mail older than this belongs to a worker that stopped (seconds).
    settings.setdefault("JOBS_CLAIM_TIMEOUT", 600)


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Settings: defaults, then ``.env`` and ``HUB_*`` variables, then explicit overrides."""
    load_dotenv(Path.cwd() / ".env", override=False)
    instance = Path(instance_path)
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'hub.sqlite'}",
        "SEARCH_INDEX_DIR": str(PROJECT_ROOT / "search_index"),
        "DATA_DIR": str(instance / "data"),
        "MAX_UPLOAD_MB": 25,
        "PER_PAGE": 20,
        "INDEX_WRITER_TIMEOUT": 30.0,
        "CHECK_INDEX_ON_START": True,
        # Index hosts (docs/deployment.md). Empty host name: the machine's name and a hash of
        # the index folder. The follower applies the change log every INDEX_FOLLOW_INTERVAL s.
        "INDEX_HOST_NAME": "",
        "INDEX_FOLLOW_INTERVAL": 0.2,
        "INDEX_HEARTBEAT_SECONDS": 10.0,
        "INDEX_CHECK_SECONDS": 3600.0,
        "INDEX_PRUNE_SECONDS": 600.0,
        # A host not seen for this long no longer holds back pruning; it rebuilds on return.
        "INDEX_HOST_LIVE_SECONDS": 3600.0,
        # How long a host waits for a change id that a later id overtook (changelog.py).
        "INDEX_GAP_SECONDS": 120.0,
        "BABEL_DEFAULT_LOCALE": "en",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "HUB_ENV": "development",
        # Mail: with no server set, messages are printed to the console (development).
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_FROM": "STI for SDGs Hub <no-reply@localhost>",
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "AUDIT_LOG": str(instance / "audit.log"),
        # Reverse proxies in front of the Hub whose X-Forwarded-For entries are believed, counted
        # from the right. 0 (the default) believes none: a client could write the header itself
        # and choose the address that rate limits and the audit log see.
        "PROXY_COUNT": 0,
        # Where the Contact page sends people; empty shows how to reach the Secretariat instead.
        "CONTACT_EMAIL": "",
        # Forms other than uploads: a 200,000-character text fits, even percent-encoded CJK.
        "MAX_FORM_BYTES": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        "MAX_FORM_PARTS": 200,
        # Per person: how many PDFs and how many megabytes they may upload in all.
        "UPLOAD_QUOTA_FILES": 500,
        "UPLOAD_QUOTA_MB": 1000,
        "EXTRACTION_CONCURRENCY": 1,
        # Used in links inside e-mails; requests use their own host.
        "PUBLIC_URL": "http://127.0.0.1:5000",
        "IDLE_TIMEOUT_MINUTES": 30,
        "ABSOLUTE_TIMEOUT_HOURS": 12,
        "INVITE_MAX_AGE_HOURS": 72,
        "RESET_MAX_AGE_MINUTES": 60,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
    }
    for env_name, key in ENV_SETTINGS.items():
        value = os.environ.get(env_name)
        if value not in (None, ""):
            settings[key] = _coerce(key, value)
    settings.update(overrides or {})
    # Tests see each commit in the index at once; production hosts follow the log in a thread.
    settings.setdefault("INDEX_FOLLOW", "inline" if settings.get("TESTING") else "thread")
    if not settings.get("SECRET_KEY"):
        if settings["HUB_ENV"] == "production":
            settings["SECRET_KEY_GENERATED"] = True
        settings["SECRET_KEY"] = _instance_secret(instance)
    settings.setdefault("MAX_CONTENT_LENGTH", settings["MAX_UPLOAD_MB"] * 1024 * 1024)
    _job_settings(settings)
    if not isinstance(settings["PROXY_COUNT"], int) or settings["PROXY_COUNT"] < 0:
        raise UnsafeConfiguration(
            f"HUB_PROXY_COUNT must be 0 or the number of proxies, not {settings['PROXY_COUNT']!r}"
        )
    settings["HUB_ENV"] = str(settings["HUB_ENV"]).strip().lower()
    if settings["HUB_ENV"] not in KNOWN_ENVIRONMENTS:
        # A misspelt "production" must not quietly run with development settings.
        raise UnsafeConfiguration(
            f"HUB_ENV must be one of {', '.join(sorted(KNOWN_ENVIRONMENTS))}, "
            f"not {settings['HUB_ENV']!r}"
        )
    if settings["HUB_ENV"] == "production":
        # Secure cookies with the __Host- prefix: HTTPS only, this host only, path /.
        for key, value in (
            ("SESSION_COOKIE_SECURE", True),
            ("REMEMBER_COOKIE_SECURE", True),
            ("SESSION_COOKIE_NAME", "__Host-session"),
            ("REMEMBER_COOKIE_NAME", "__Host-remember"),
            ("PREFERRED_URL_SCHEME", "https"),
        ):
            settings.setdefault(key, value)
    url = settings["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        settings["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len("postgresql://") :]
    return settings
