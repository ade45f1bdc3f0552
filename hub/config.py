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
    "HUB_CHECK_INDEX_ON_START": "CHECK_INDEX_ON_START",
}


def _coerce(key: str, value: str) -> Any:
    if key in {"MAX_UPLOAD_MB", "PER_PAGE"}:
        return int(value)
    if key == "INDEX_WRITER_TIMEOUT":
        return float(value)
    if key == "CHECK_INDEX_ON_START":
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


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
        "BABEL_DEFAULT_LOCALE": "en",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    for env_name, key in ENV_SETTINGS.items():
        value = os.environ.get(env_name)
        if value not in (None, ""):
            settings[key] = _coerce(key, value)
    settings.update(overrides or {})
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = _instance_secret(instance)
    settings["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024
    url = settings["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        settings["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len("postgresql://") :]
    return settings
