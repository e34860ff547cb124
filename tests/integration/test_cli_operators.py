"""`reel users` and `reel tokens` through click's runner, on an embedded store in a temporary data dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from reel.admin.operators import authenticate_password, operator_for_token
from reel.cli.main import cli
from reel.storage.factory import open_operator_store
from reel.storage.operator_store import OperatorStore
from support import T0

Invoke = Callable[..., Result]
"""Run `reel ARGS... --data-dir TMP`, optionally with stdin."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    monkeypatch.delenv("REEL_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, [*args, "--data-dir", str(data_dir)], input=stdin)

    yield invoke


def operator_store(data_dir: Path) -> OperatorStore:
    return open_operator_store(f"sqlite:///{data_dir / 'reel.sqlite3'}")


def test_users_create_reads_the_password_from_stdin(run: Invoke, data_dir: Path) -> None:
    result = run("users", "create", "alice", "--role", "admin", stdin="pa ss word\n")
    assert result.exit_code == 0, result.output
    assert "Created admin alice" in result.output
    store = operator_store(data_dir)
    try:
        found = authenticate_password(store, "alice", "pa ss word")
        assert found is not None and found.role == "admin" and found.app_ids is None
        assert authenticate_password(store, "alice", "pa ss word\n") is None
    finally:
        store.close()


def test_users_create_refuses_an_empty_password(run: Invoke, data_dir: Path) -> None:
    for stdin in ("\n", ""):
        result = run("users", "create", "alice", "--role", "viewer", stdin=stdin)
        assert result.exit_code == 2
        assert "password must not be empty" in result.output
    store = operator_store(data_dir)
    try:
        assert store.operators() == []
    finally:
        store.close()


def test_users_create_checks_role_name_apps_and_duplicates(run: Invoke) -> None:
    invoke = run
    assert invoke("users", "create", "a", "--role", "owner", stdin="pw\n").exit_code == 2
    bad_name = invoke("users", "create", "a b", "--role", "viewer", stdin="pw\n")
    assert bad_name.exit_code == 2 and "operator name" in bad_name.output
    unknown_app = invoke("users", "create", "a", "--role", "viewer", "--app", "app_nope", stdin="pw\n")
    assert unknown_app.exit_code == 2 and "app_nope" in unknown_app.output
    assert invoke("users", "create", "a", "--role", "viewer", stdin="pw\n").exit_code == 0
    again = invoke("users", "create", "a", "--role", "viewer", stdin="pw\n")
    assert again.exit_code == 2 and "already exists" in again.output


def test_users_can_be_limited_to_applications(run: Invoke, data_dir: Path) -> None:
    app = orjson.loads(run("apps", "create", "Shop", "--origin", "https://shop.example", "--json").output)
    result = run("users", "create", "vic", "--role", "viewer", "--app", app["id"], "--json", stdin="pw\n")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.output)
    assert doc["role"] == "viewer" and doc["app_ids"] == [app["id"]]
    listed = run("users", "list")
    assert "vic\tviewer\t" + app["id"] in listed.output


def test_tokens_create_prints_a_working_token_once(run: Invoke, data_dir: Path) -> None:
    run("users", "create", "alice", "--role", "admin", stdin="pw\n")
    result = run("tokens", "create", "ci", "--user", "alice")
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("reel_")
    store = operator_store(data_dir)
    try:
        found = operator_for_token(store, secret, now_ms=T0)
        assert found is not None and found.name == "alice"
    finally:
        store.close()
    listing = run("tokens", "list")
    assert "ci\talice" in listing.output and secret not in listing.output


def test_tokens_create_defaults_to_the_only_admin(run: Invoke) -> None:
    none_yet = run("tokens", "create", "ci")
    assert none_yet.exit_code == 2 and "--user" in none_yet.output
    run("users", "create", "alice", "--role", "admin", stdin="pw\n")
    run("users", "create", "vera", "--role", "viewer", stdin="pw\n")
    one = run("tokens", "create", "ci", "--json")
    assert one.exit_code == 0, one.output
    doc = orjson.loads(one.output)
    assert doc["operator"] == "alice" and doc["token"].startswith("reel_") and doc["id"].startswith("tok_")
    run("users", "create", "bob", "--role", "admin", stdin="pw\n")
    two = run("tokens", "create", "ci")
    assert two.exit_code == 2 and "--user" in two.output
    unknown = run("tokens", "create", "ci", "--user", "nobody")
    assert unknown.exit_code == 2 and "nobody" in unknown.output


def test_tokens_revoke_stops_a_token(run: Invoke, data_dir: Path) -> None:
    run("users", "create", "alice", "--role", "admin", stdin="pw\n")
    doc = orjson.loads(run("tokens", "create", "ci", "--json", "--days", "30").output)
    assert doc["expires_at"] - doc["created_at"] == 30 * 24 * 3600 * 1000
    assert run("tokens", "revoke", doc["id"]).exit_code == 0
    store = operator_store(data_dir)
    try:
        assert operator_for_token(store, doc["token"], now_ms=doc["created_at"]) is None
    finally:
        store.close()
    assert run("tokens", "revoke", doc["id"]).exit_code == 2
