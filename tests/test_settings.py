"""Settings: TOML file, then TAPLINE_* environment, then explicit overrides; safe defaults."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from tapline.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TAPLINE_") and name != "TAPLINE_TEST_PG":
            monkeypatch.delenv(name)


def _toml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tapline.toml"
    path.write_text("[tapline]\n" + body)
    return path


def test_defaults_match_the_protocol_limits() -> None:
    settings = Settings()
    assert (settings.message_bytes, settings.context_bytes) == (4096, 65536)
    assert (settings.frame_bytes, settings.frame_rate, settings.frame_burst) == (131072, 20, 40)
    assert settings.origin == "http://127.0.0.1:8000"


def test_environment_wins_over_the_file_and_overrides_win_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _toml(tmp_path, 'port = 8100\nhost = "0.0.0.0"\nmessage_bytes = 2048\n')
    monkeypatch.setenv("TAPLINE_PORT", "9000")
    monkeypatch.setenv("TAPLINE_CONTEXT_BYTES", "32768")
    settings = load_settings(config, host="10.0.0.1")
    assert settings.port == 9000  # environment over file
    assert settings.context_bytes == 32768
    assert settings.message_bytes == 2048  # file over default
    assert settings.host == "10.0.0.1"  # override over file


def test_unknown_keys_in_the_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="mesage_bytes"):
        load_settings(_toml(tmp_path, "mesage_bytes = 10\n"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("message_bytes", 10),
        ("context_bytes", 100),
        ("frame_rate", 0),
        ("offer_timeout", 0),
        ("ring_attempts", 0),
        ("ring_spacing", -1),
        ("callback_on_failure", "drop"),
    ],
)
def test_limits_out_of_range_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(**{name: value})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@db/tapline", "postgresql+asyncpg://u@db/tapline"),
        ("postgres://u@db/tapline", "postgresql+asyncpg://u@db/tapline"),
        ("sqlite:////var/lib/t.db", "sqlite+aiosqlite:////var/lib/t.db"),
        ("postgresql+asyncpg://u@db/t", "postgresql+asyncpg://u@db/t"),
    ],
)
def test_database_urls_get_async_drivers(given: str, expected: str) -> None:
    assert Settings(database_url=given).db_url == expected


def test_sqlite_lives_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    assert settings.db_url == f"sqlite+aiosqlite:///{(tmp_path / 'd' / 'tapline.db').resolve()}"
    assert Settings(data_dir=Path("~/x")).data_dir == Path.home() / "x"


def test_public_origin_is_the_servers_own() -> None:
    assert Settings(public_origin="https://help.example/").origin == "https://help.example"
    assert Settings(host="0.0.0.0", port=81).origin == "http://0.0.0.0:81"


def test_a_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path / "data").secret()
    assert len(first) >= 48
    path = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path / "data").secret() == first  # the next start reads it
    assert Settings(data_dir=tmp_path / "other").secret() != first
    assert Settings(data_dir=tmp_path / "data", secret_key="given").secret() == "given"
