"""Operator accounts: creating operators, checking passwords, issuing API tokens and login sessions.

Shared by the command line and the server; every function takes the operator store and the time, so
nothing here needs HTTP.
"""

from __future__ import annotations

import re

from reel.credentials import (
    MAX_PASSWORD_CHARS,
    TOKEN_PREFIX,
    digest,
    hash_password,
    new_api_token,
    new_session_secret,
    password_needs_rehash,
    verify_password,
)
from reel.errors import InvalidField
from reel.ids import new_id
from reel.storage.operator_store import ROLES, ApiToken, LoginSession, Operator, OperatorStore, Role

HOUR_MS = 60 * 60 * 1000
# A login ends after 12 idle hours (a working day away) and in any case a week after it started.
LOGIN_IDLE_MS = 12 * HOUR_MS
LOGIN_MAX_MS = 7 * 24 * HOUR_MS
# Activity is written at most once a minute, so browsing does not turn every page view into a DB write.
TOUCH_EVERY_MS = 60 * 1000

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_TOKEN_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,100}")


def check_operator_name(name: str) -> str:
    """The name if it is 1-64 characters of letters, digits and `._@-`; raises InvalidField otherwise."""
    if not _NAME.fullmatch(name):
        raise InvalidField(
            "operator name must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '@', '-'", field="name"
        )
    return name


def check_password(password: str) -> str:
    """The password if it is non-empty and not absurdly long; raises InvalidField otherwise."""
    if not password:
        raise InvalidField("password must not be empty", field="password")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidField(f"password must be at most {MAX_PASSWORD_CHARS} characters", field="password")
    return password


def check_role(role: str) -> Role:
    """`role` as a Role; raises InvalidField for anything but admin or viewer."""
    for known in ROLES:
        if role == known:
            return known
    raise InvalidField("role must be 'admin' or 'viewer'", field="role")


def create_operator(
    store: OperatorStore,
    name: str,
    role: str,
    password: str | None,
    *,
    now_ms: int,
    app_ids: tuple[str, ...] | None = None,
) -> Operator:
    """Create and store an operator; `password` None makes a token-only operator (scripts)."""
    operator = Operator(
        id=new_id("opr"),
        name=check_operator_name(name),
        role=check_role(role),
        app_ids=app_ids,
        created_at=now_ms,
    )
    hashed = None if password is None else hash_password(check_password(password))
    store.create_operator(operator, hashed)
    return operator


def authenticate_password(store: OperatorStore, name: str, password: str) -> Operator | None:
    """The enabled operator with this name and password, else None (same cost whichever part is wrong)."""
    if len(password) > MAX_PASSWORD_CHARS:
        return None
    operator = store.operator_by_name(name)
    stored = store.password_hash(operator.id) if operator is not None else None
    if not verify_password(stored, password) or operator is None or stored is None:
        return None
    if operator.disabled:
        return None
    if password_needs_rehash(stored):
        store.set_password_hash(operator.id, hash_password(password))
    return operator


def issue_token(
    store: OperatorStore, operator: Operator, name: str, *, now_ms: int, expires_at: int | None = None
) -> tuple[ApiToken, str]:
    """Create an API token for `operator`; returns it with its secret, which is never retrievable again."""
    if not _TOKEN_NAME.fullmatch(name):
        raise InvalidField("token name must be 1-100 printable characters", field="name")
    secret = new_api_token()
    token = ApiToken(
        id=new_id("tok"), operator_id=operator.id, name=name, created_at=now_ms, expires_at=expires_at
    )
    store.create_token(token, digest(secret))
    return token, secret


def operator_for_token(store: OperatorStore, secret: str, *, now_ms: int) -> Operator | None:
    """The enabled operator an unexpired, unrevoked token belongs to, else None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = store.token_by_hash(digest(secret))
    if token is None or (token.expires_at is not None and now_ms >= token.expires_at):
        return None
    operator = store.operator(token.operator_id)
    if operator is None or operator.disabled:
        return None
    if token.last_used_at is None or now_ms - token.last_used_at >= TOUCH_EVERY_MS:
        store.touch_token(token.id, now_ms)
    return operator


def start_login(store: OperatorStore, operator: Operator, *, now_ms: int) -> str:
    """Open a login session for `operator`; returns the cookie value (stored only as its digest)."""
    store.purge_logins(seen_before=now_ms - LOGIN_IDLE_MS, created_before=now_ms - LOGIN_MAX_MS)
    secret = new_session_secret()
    login = LoginSession(id=new_id("lgn"), operator_id=operator.id, created_at=now_ms, last_seen_at=now_ms)
    store.create_login(login, digest(secret))
    return secret


def operator_for_login(store: OperatorStore, secret: str, *, now_ms: int) -> Operator | None:
    """The enabled operator of a live login session, else None; expired sessions are deleted."""
    if not secret or len(secret) > 200:
        return None
    login = store.login_by_hash(digest(secret))
    if login is None:
        return None
    if now_ms - login.last_seen_at >= LOGIN_IDLE_MS or now_ms - login.created_at >= LOGIN_MAX_MS:
        store.delete_login(login.id)
        return None
    operator = store.operator(login.operator_id)
    if operator is None or operator.disabled:
        return None
    if now_ms - login.last_seen_at >= TOUCH_EVERY_MS:
        store.touch_login(login.id, now_ms)
    return operator


def end_login(store: OperatorStore, secret: str) -> None:
    """Delete the login session whose cookie value is `secret`, if there is one."""
    login = store.login_by_hash(digest(secret))
    if login is not None:
        store.delete_login(login.id)
