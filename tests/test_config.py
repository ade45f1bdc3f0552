"""Settings come from HUB_* variables and .env, so several instances can run side by side."""

from __future__ import annotations

from pathlib import Path

from hub import create_app
from hub.config import load


def test_hub_variables_set_database_index_data_and_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    monkeypatch.setenv("HUB_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("HUB_SECRET_KEY", "k" * 40)
    settings = load(str(tmp_path / "instance"))
    assert settings["SQLALCHEMY_DATABASE_URI"].endswith("a.sqlite")
    assert settings["SEARCH_INDEX_DIR"] == str(tmp_path / "idx")
    assert settings["DATA_DIR"] == str(tmp_path / "files")
    assert settings["SECRET_KEY"] == "k" * 40


def test_dotenv_file_is_read_and_real_variables_win(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("HUB_PER_PAGE=7\nHUB_MAX_UPLOAD_MB=3\n")
    monkeypatch.delenv("HUB_PER_PAGE", raising=False)  # so the value .env sets is undone after
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUB_MAX_UPLOAD_MB", "5")
    settings = load(str(tmp_path / "instance"))
    assert settings["PER_PAGE"] == 7
    assert settings["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024


def test_plain_postgresql_url_uses_the_psycopg_driver(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://u@127.0.0.1/db")
    settings = load(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1/db"


def test_defaults_put_database_and_files_in_the_instance_folder(tmp_path):
    settings = load(str(tmp_path / "instance"))
    assert (
        settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'hub.sqlite'}"
    )
    assert settings["DATA_DIR"] == str(tmp_path / "instance" / "data")
    assert Path(settings["SEARCH_INDEX_DIR"]).name == "search_index"


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = load(str(tmp_path))["SECRET_KEY"]
    assert len(first) == 64
    assert load(str(tmp_path))["SECRET_KEY"] == first


def test_explicit_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_INDEX_DIR", "/from/env")
    app = create_app({"SEARCH_INDEX_DIR": str(tmp_path / "idx"), "DATA_DIR": str(tmp_path / "d"),
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
    assert app.config["SEARCH_INDEX_DIR"] == str(tmp_path / "idx")


def test_app_registers_the_hub_cli_group(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path / "d"), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["hub", "--help"])
    for command in ("load-content", "load-reference", "reindex", "check-index"):
        assert command in result.output


def test_search_analytics_retention_is_a_setting_in_days(monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_SEARCH_ANALYTICS_KEEP_DAYS", "90")

    assert load(str(tmp_path))["SEARCH_ANALYTICS_KEEP_DAYS"] == 90
