"""Operator store on SQLite, in the session store's database file: one write connection behind a lock."""

from __future__ import annotations

import sqlite3
from typing import cast

import orjson

from reel.errors import Conflict, NotFound
from reel.storage.operator_rows import (
    LOGIN_COLUMNS,
    OPERATOR_COLUMNS,
    TOKEN_COLUMNS,
    login_of,
    operator_of,
    token_of,
)
from reel.storage.operator_store import ApiToken, LoginSession, Operator
from reel.storage.sqlite_db import SqliteDatabase


class SqliteOperatorStore(SqliteDatabase):
    """SQLite-backed operator store; `path` is the database file shared with the session store."""

    store_name = "operator store"

    @staticmethod
    def _require(conn: sqlite3.Connection, operator_id: str) -> None:
        if conn.execute("SELECT 1 FROM operators WHERE id = ?", (operator_id,)).fetchone() is None:
            raise NotFound("no such operator")

    # operators

    def create_operator(self, operator: Operator, password_hash: str | None) -> None:
        app_ids = None if operator.app_ids is None else orjson.dumps(list(operator.app_ids)).decode()
        try:
            with self._write() as conn:
                conn.execute(
                    f"INSERT INTO operators ({OPERATOR_COLUMNS}, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        operator.id,
                        operator.name,
                        operator.role,
                        app_ids,
                        operator.created_at,
                        int(operator.disabled),
                        password_hash,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict("operator id or name already exists", field="name") from exc

    def operator(self, operator_id: str) -> Operator | None:
        rows = self._read(f"SELECT {OPERATOR_COLUMNS} FROM operators WHERE id = ?", (operator_id,))
        return operator_of(rows[0]) if rows else None

    def operator_by_name(self, name: str) -> Operator | None:
        rows = self._read(f"SELECT {OPERATOR_COLUMNS} FROM operators WHERE name = ?", (name,))
        return operator_of(rows[0]) if rows else None

    def operators(self) -> list[Operator]:
        rows = self._read(f"SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY created_at, id")
        return [operator_of(r) for r in rows]

    def password_hash(self, operator_id: str) -> str | None:
        rows = self._read("SELECT password_hash FROM operators WHERE id = ?", (operator_id,))
        return cast("str | None", rows[0][0]) if rows else None

    def set_password_hash(self, operator_id: str, password_hash: str | None) -> None:
        with self._write() as conn:
            self._require(conn, operator_id)
            conn.execute("UPDATE operators SET password_hash = ? WHERE id = ?", (password_hash, operator_id))

    def set_disabled(self, operator_id: str, disabled: bool) -> None:
        with self._write() as conn:
            self._require(conn, operator_id)
            conn.execute("UPDATE operators SET disabled = ? WHERE id = ?", (int(disabled), operator_id))

    # API tokens

    def create_token(self, token: ApiToken, secret_hash: str) -> None:
        try:
            with self._write() as conn:
                self._require(conn, token.operator_id)
                conn.execute(
                    f"INSERT INTO api_tokens ({TOKEN_COLUMNS}, secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        token.id,
                        token.operator_id,
                        token.name,
                        token.created_at,
                        token.last_used_at,
                        token.expires_at,
                        secret_hash,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict("token id or secret already exists") from exc

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        rows = self._read(f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE secret_hash = ?", (secret_hash,))
        return token_of(rows[0]) if rows else None

    def tokens(self, operator_id: str | None = None) -> list[ApiToken]:
        if operator_id is None:
            rows = self._read(f"SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id")
        else:
            rows = self._read(
                f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE operator_id = ? ORDER BY created_at, id",
                (operator_id,),
            )
        return [token_of(r) for r in rows]

    def touch_token(self, token_id: str, now_ms: int) -> None:
        with self._write() as conn:
            conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now_ms, token_id))

    def revoke_token(self, token_id: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM api_tokens WHERE id = ?", (token_id,)).rowcount > 0

    # login sessions

    def create_login(self, login: LoginSession, secret_hash: str) -> None:
        try:
            with self._write() as conn:
                self._require(conn, login.operator_id)
                conn.execute(
                    f"INSERT INTO login_sessions ({LOGIN_COLUMNS}, secret_hash) VALUES (?, ?, ?, ?, ?)",
                    (login.id, login.operator_id, login.created_at, login.last_seen_at, secret_hash),
                )
        except sqlite3.IntegrityError as exc:
            raise Conflict("login session id or secret already exists") from exc

    def login_by_hash(self, secret_hash: str) -> LoginSession | None:
        rows = self._read(f"SELECT {LOGIN_COLUMNS} FROM login_sessions WHERE secret_hash = ?", (secret_hash,))
        return login_of(rows[0]) if rows else None

    def touch_login(self, login_id: str, now_ms: int) -> None:
        with self._write() as conn:
            conn.execute("UPDATE login_sessions SET last_seen_at = ? WHERE id = ?", (now_ms, login_id))

    def delete_login(self, login_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM login_sessions WHERE id = ?", (login_id,))

    def purge_logins(self, *, seen_before: int, created_before: int) -> int:
        with self._write() as conn:
            return conn.execute(
                "DELETE FROM login_sessions WHERE last_seen_at < ? OR created_at < ?",
                (seen_before, created_before),
            ).rowcount
