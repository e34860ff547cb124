"""The operator store in SQL, one implementation for SQLite and PostgreSQL (reel.storage.sql).

Its database is the session store's (its own connections to it); a unique key taken (an operator's name,
a token's secret) is Conflict, so the database must let IntegrityError through (`raise_integrity_errors`).
"""

from __future__ import annotations

from typing import cast

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
from reel.storage.sql import SqlDatabase, Tx


def _require(tx: Tx, operator_id: str) -> None:
    if tx.one("SELECT 1 AS found FROM operators WHERE id = ?", (operator_id,)) is None:
        raise NotFound("no such operator")


class SqlOperatorStore:
    """The operator store on a SQL database (`SqliteDatabase` or `PostgresDatabase`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    # operators

    def create_operator(self, operator: Operator, password_hash: str | None) -> None:
        try:
            with self.db.write() as tx:
                tx.run(
                    f"INSERT INTO operators ({OPERATOR_COLUMNS}, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        operator.id,
                        operator.name,
                        operator.role,
                        tx.dialect.text_list(operator.app_ids),
                        operator.created_at,
                        operator.disabled,
                        password_hash,
                    ),
                )
        except self.db.integrity_error as exc:
            raise Conflict("operator id or name already exists", field="name") from exc

    def operator(self, operator_id: str) -> Operator | None:
        rows = self.db.query(f"SELECT {OPERATOR_COLUMNS} FROM operators WHERE id = ?", (operator_id,))
        return operator_of(rows[0]) if rows else None

    def operator_by_name(self, name: str) -> Operator | None:
        rows = self.db.query(f"SELECT {OPERATOR_COLUMNS} FROM operators WHERE name = ?", (name,))
        return operator_of(rows[0]) if rows else None

    def operators(self) -> list[Operator]:
        rows = self.db.query(f"SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY created_at, id")
        return [operator_of(r) for r in rows]

    def password_hash(self, operator_id: str) -> str | None:
        rows = self.db.query("SELECT password_hash FROM operators WHERE id = ?", (operator_id,))
        return cast("str | None", rows[0]["password_hash"]) if rows else None

    def set_password_hash(self, operator_id: str, password_hash: str | None) -> None:
        with self.db.write() as tx:
            changed = tx.run(
                "UPDATE operators SET password_hash = ? WHERE id = ?", (password_hash, operator_id)
            )
        if not changed:
            raise NotFound("no such operator")

    def set_disabled(self, operator_id: str, disabled: bool) -> None:
        with self.db.write() as tx:
            changed = tx.run("UPDATE operators SET disabled = ? WHERE id = ?", (disabled, operator_id))
        if not changed:
            raise NotFound("no such operator")

    # API tokens

    def create_token(self, token: ApiToken, secret_hash: str) -> None:
        try:
            with self.db.write() as tx:
                _require(tx, token.operator_id)
                tx.run(
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
        except self.db.integrity_error as exc:
            raise Conflict("token id or secret already exists") from exc

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        rows = self.db.query(f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE secret_hash = ?", (secret_hash,))
        return token_of(rows[0]) if rows else None

    def tokens(self, operator_id: str | None = None) -> list[ApiToken]:
        if operator_id is None:
            rows = self.db.query(f"SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id")
        else:
            rows = self.db.query(
                f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE operator_id = ? ORDER BY created_at, id",
                (operator_id,),
            )
        return [token_of(r) for r in rows]

    def touch_token(self, token_id: str, now_ms: int) -> None:
        with self.db.write() as tx:
            tx.run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now_ms, token_id))

    def revoke_token(self, token_id: str) -> bool:
        with self.db.write() as tx:
            return tx.run("DELETE FROM api_tokens WHERE id = ?", (token_id,)) > 0

    # login sessions

    def create_login(self, login: LoginSession, secret_hash: str) -> None:
        try:
            with self.db.write() as tx:
                _require(tx, login.operator_id)
                tx.run(
                    f"INSERT INTO login_sessions ({LOGIN_COLUMNS}, secret_hash) VALUES (?, ?, ?, ?, ?)",
                    (login.id, login.operator_id, login.created_at, login.last_seen_at, secret_hash),
                )
        except self.db.integrity_error as exc:
            raise Conflict("login session id or secret already exists") from exc

    def login_by_hash(self, secret_hash: str) -> LoginSession | None:
        rows = self.db.query(
            f"SELECT {LOGIN_COLUMNS} FROM login_sessions WHERE secret_hash = ?", (secret_hash,)
        )
        return login_of(rows[0]) if rows else None

    def touch_login(self, login_id: str, now_ms: int) -> None:
        with self.db.write() as tx:
            tx.run("UPDATE login_sessions SET last_seen_at = ? WHERE id = ?", (now_ms, login_id))

    def delete_login(self, login_id: str) -> None:
        with self.db.write() as tx:
            tx.run("DELETE FROM login_sessions WHERE id = ?", (login_id,))

    def purge_logins(self, *, seen_before: int, created_before: int) -> int:
        with self.db.write() as tx:
            return tx.run(
                "DELETE FROM login_sessions WHERE last_seen_at < ? OR created_at < ?",
                (seen_before, created_before),
            )
