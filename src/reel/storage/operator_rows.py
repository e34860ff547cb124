"""Rows of the operator store's tables and the records they hold, named once for SQLite and PostgreSQL."""

from __future__ import annotations

from reel.errors import StorageUnavailable
from reel.storage.operator_store import ROLES, ApiToken, LoginSession, Operator, Role
from reel.storage.sql import Row, record, text_list_of

OPERATOR_COLUMNS = "id, name, role, app_ids, created_at, disabled"
TOKEN_COLUMNS = "id, operator_id, name, created_at, last_used_at, expires_at"  # noqa: S105 -- column names
LOGIN_COLUMNS = "id, operator_id, created_at, last_seen_at"


def role(value: str) -> Role:
    """The role a row holds; a role Reel does not know means the store is not Reel's to read."""
    for known in ROLES:
        if known == value:
            return known
    raise StorageUnavailable(f"operator store holds an unknown role {value!r}")


def operator_of(row: Row) -> Operator:
    """An operator from a row selected with OPERATOR_COLUMNS."""
    app_ids = row["app_ids"]
    return record(
        Operator, row, role=role(row["role"]), app_ids=None if app_ids is None else text_list_of(app_ids)
    )


def token_of(row: Row) -> ApiToken:
    """An API token from a row selected with TOKEN_COLUMNS."""
    return record(ApiToken, row)


def login_of(row: Row) -> LoginSession:
    """A login session from a row selected with LOGIN_COLUMNS."""
    return record(LoginSession, row)
