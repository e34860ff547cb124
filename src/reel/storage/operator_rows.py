"""Rows of the operator store's tables and the records they hold, named once for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from reel.errors import StorageUnavailable
from reel.storage.operator_store import ROLES, ApiToken, LoginSession, Operator, Role
from reel.storage.sql import record

OPERATOR_COLUMNS = "id, name, role, app_ids, created_at, disabled"
TOKEN_COLUMNS = "id, operator_id, name, created_at, last_used_at, expires_at"  # noqa: S105 -- column names
LOGIN_COLUMNS = "id, operator_id, created_at, last_seen_at"


def named(columns: str, row: Sequence[Any]) -> dict[str, Any]:
    """A row selected with `columns` (a SELECT list of plain names), keyed by those names."""
    return dict(zip((c.strip() for c in columns.split(",")), row, strict=True))


def role(value: str) -> Role:
    """The role a row holds; a role Reel does not know means the store is not Reel's to read."""
    for known in ROLES:
        if known == value:
            return known
    raise StorageUnavailable(f"operator store holds an unknown role {value!r}")


def operator_of(row: Sequence[Any]) -> Operator:
    """An operator from a row selected with OPERATOR_COLUMNS."""
    r = named(OPERATOR_COLUMNS, row)
    app_ids = r["app_ids"]
    if isinstance(app_ids, str):  # SQLite keeps the list as JSON text; PostgreSQL as an array
        app_ids = orjson.loads(app_ids)
    return record(Operator, r, role=role(r["role"]), app_ids=None if app_ids is None else tuple(app_ids))


def token_of(row: Sequence[Any]) -> ApiToken:
    """An API token from a row selected with TOKEN_COLUMNS."""
    return record(ApiToken, named(TOKEN_COLUMNS, row))


def login_of(row: Sequence[Any]) -> LoginSession:
    """A login session from a row selected with LOGIN_COLUMNS."""
    return record(LoginSession, named(LOGIN_COLUMNS, row))
