"""The `tapline` command: migrate, and adding apps and specialists, against a real database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tapline.cli import app
from tapline.lib.passwords import verify_password
from tapline.settings import Settings
from tapline.store.database import make_engine, make_sessionmaker
from tapline.store.migrate import current_tables
from tapline.store.models import App, Base, Specialist

Invoke = Callable[..., tuple[int, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    for name in ("TAPLINE_DATABASE_URL", "TAPLINE_DATABASE_SCHEMA", "TAPLINE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    env = {"TAPLINE_DATA_DIR": str(tmp_path / "data")}

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    return invoke


def _rows(tmp_path: Path, model: type[Base]) -> list[object]:
    async def read() -> list[object]:
        settings = Settings(data_dir=tmp_path / "data")
        engine = make_engine(settings.db_url)
        try:
            async with make_sessionmaker(engine)() as session:
                return list(await session.scalars(select(model)))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _tables(tmp_path: Path) -> set[str]:
    async def read() -> set[str]:
        engine = make_engine(Settings(data_dir=tmp_path / "data").db_url)
        try:
            return await current_tables(engine)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_migrate_creates_the_database_in_the_data_dir(run: Invoke, tmp_path: Path) -> None:
    code, output = run("migrate")
    assert code == 0, output
    assert "Database is up to date" in output
    assert (tmp_path / "data" / "tapline.db").exists()
    assert set(Base.metadata.tables) <= _tables(tmp_path)
    assert run("migrate")[0] == 0  # again: nothing to do


def test_app_add_prints_its_key_and_secret(run: Invoke, tmp_path: Path) -> None:
    run("migrate")
    code, output = run(
        "app",
        "add",
        "--name",
        "SkyWay",
        "--origin",
        "https://sky.example/",
        "--origin",
        "http://localhost:3000",
    )
    assert code == 0, output
    key = re.search(r"public key:\s+(pk_\w+)", output)
    secret = re.search(r"secret:\s+(sk_\S+)", output)
    assert key and secret
    [row] = _rows(tmp_path, App)
    assert isinstance(row, App)
    assert (row.public_key, row.secret) == (key.group(1), secret.group(1))
    assert row.origins == ["https://sky.example", "http://localhost:3000"]


def test_specialist_add_stores_an_argon2id_hash(run: Invoke, tmp_path: Path) -> None:
    run("migrate")
    code, output = run(
        "specialist",
        "add",
        "--email",
        "Ana@Example.com",
        "--name",
        "Ana Ferreira",
        "--role",
        "Payments specialist",
        "--skill",
        "payments=5",
        "--skill",
        "support=3",
        "--capacity",
        "4",
        "--password",
        "a long enough password",
    )
    assert code == 0, output
    assert "Added Ana Ferreira <Ana@Example.com>" in output
    [row] = _rows(tmp_path, Specialist)
    assert isinstance(row, Specialist)
    assert row.email == "ana@example.com"
    assert row.skills == {"payments": 5, "support": 3}
    assert (row.capacity, row.role, row.is_supervisor) == (4, "Payments specialist", False)
    assert row.password_hash.startswith("$argon2id$")
    assert verify_password(row.password_hash, "a long enough password")


def test_specialist_add_refuses_a_short_password(run: Invoke, tmp_path: Path) -> None:
    run("migrate")
    code, output = run(
        "specialist", "add", "--email", "a@example.com", "--name", "A", "--password", "short"
    )
    assert code == 1
    assert "at least 10 characters" in output
    assert _rows(tmp_path, Specialist) == []


def test_specialist_add_refuses_a_duplicate_email(run: Invoke, tmp_path: Path) -> None:
    run("migrate")
    args = ("specialist", "add", "--name", "A", "--password", "a long enough password")
    assert run(*args, "--email", "a@example.com")[0] == 0
    code, output = run(*args, "--email", "A@EXAMPLE.com")
    assert code == 1
    assert "already exists" in output
    assert len(_rows(tmp_path, Specialist)) == 1


@pytest.mark.parametrize("skill", ["payments", "payments=6", "payments=0", "=3", "payments=x"])
def test_specialist_add_refuses_a_bad_skill(run: Invoke, tmp_path: Path, skill: str) -> None:
    run("migrate")
    code, output = run(
        "specialist",
        "add",
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--password",
        "a long enough password",
        "--skill",
        skill,
    )
    assert code == 2
    assert "NAME=LEVEL" in output
    assert _rows(tmp_path, Specialist) == []


def test_specialist_add_refuses_a_capacity_out_of_range(run: Invoke, tmp_path: Path) -> None:
    run("migrate")
    code, _ = run(
        "specialist",
        "add",
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--password",
        "a long enough password",
        "--capacity",
        "0",
    )
    assert code == 2
    assert _rows(tmp_path, Specialist) == []


def _add_shop(run: Invoke, *flags: str) -> tuple[str, str]:
    code, output = run("app", "add", "--name", "Shop", "--origin", "https://shop.example", *flags)
    assert code == 0, output
    app_id = re.search(r"app:\s+(a_\w+)", output)
    key = re.search(r"public key:\s+(pk_\w+)", output)
    assert app_id and key
    return app_id.group(1), key.group(1)


def _verified_only(tmp_path: Path) -> dict[str, bool]:
    return {row.name: row.verified_only for row in _rows(tmp_path, App) if isinstance(row, App)}


def test_app_add_takes_verified_only_and_app_set_turns_it_on_and_off(
    run: Invoke, tmp_path: Path
) -> None:
    run("migrate")
    app_id, key = _add_shop(run)
    assert _verified_only(tmp_path) == {"Shop": False}  # the default
    code, output = run("app", "set", app_id, "--verified-only")
    assert code == 0, output
    assert "verified customers only" in output
    assert _verified_only(tmp_path) == {"Shop": True}
    code, output = run("app", "set", key, "--no-verified-only")  # by public key too
    assert code == 0, output
    assert _verified_only(tmp_path) == {"Shop": False}
    code, output = run(
        "app", "add", "--name", "Bank", "--origin", "https://b.example", "--verified-only"
    )
    assert code == 0, output
    assert _verified_only(tmp_path) == {"Shop": False, "Bank": True}


def test_app_set_refuses_an_unknown_app_and_nothing_to_change(run: Invoke, tmp_path: Path) -> None:
    run("migrate")
    app_id, _ = _add_shop(run)
    code, output = run("app", "set", "a_nope", "--verified-only")
    assert code == 1 and "No app" in output
    code, output = run("app", "set", app_id)
    assert code == 2 and "Nothing to change" in output
    assert _verified_only(tmp_path) == {"Shop": False}


def test_app_list_shows_whether_only_verified_customers_may_ask(
    run: Invoke, tmp_path: Path
) -> None:
    run("migrate")
    _add_shop(run)
    app_id, _ = _add_shop(run, "--verified-only")
    code, output = run("app", "list")
    assert code == 0, output
    lines = [line for line in output.splitlines() if "a_" in line]
    assert len(lines) == 2
    assert ["verified customers only" in line for line in lines] == [False, True]
    assert app_id in lines[1]
