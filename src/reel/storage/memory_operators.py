"""In-memory operator store: the reference backend the contract tests hold every other backend to."""

from __future__ import annotations

import dataclasses
import threading

from reel.errors import Conflict, NotFound
from reel.storage.operator_store import ApiToken, LoginSession, Operator


class MemoryOperatorStore:
    """Dicts behind one lock; every method is a transaction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operators: dict[str, Operator] = {}
        self._passwords: dict[str, str | None] = {}
        self._tokens: dict[str, tuple[ApiToken, str]] = {}
        self._logins: dict[str, tuple[LoginSession, str]] = {}

    def create_operator(self, operator: Operator, password_hash: str | None) -> None:
        with self._lock:
            if operator.id in self._operators or any(
                o.name == operator.name for o in self._operators.values()
            ):
                raise Conflict("operator id or name already exists", field="name")
            self._operators[operator.id] = operator
            self._passwords[operator.id] = password_hash

    def operator(self, operator_id: str) -> Operator | None:
        with self._lock:
            return self._operators.get(operator_id)

    def operator_by_name(self, name: str) -> Operator | None:
        with self._lock:
            return next((o for o in self._operators.values() if o.name == name), None)

    def operators(self) -> list[Operator]:
        with self._lock:
            return sorted(self._operators.values(), key=lambda o: (o.created_at, o.id))

    def password_hash(self, operator_id: str) -> str | None:
        with self._lock:
            return self._passwords.get(operator_id)

    def set_password_hash(self, operator_id: str, password_hash: str | None) -> None:
        with self._lock:
            self._require(operator_id)
            self._passwords[operator_id] = password_hash

    def set_disabled(self, operator_id: str, disabled: bool) -> None:
        with self._lock:
            current = self._require(operator_id)
            self._operators[operator_id] = dataclasses.replace(current, disabled=disabled)

    def _require(self, operator_id: str) -> Operator:
        found = self._operators.get(operator_id)
        if found is None:
            raise NotFound("no such operator")
        return found

    def create_token(self, token: ApiToken, secret_hash: str) -> None:
        with self._lock:
            self._require(token.operator_id)
            if token.id in self._tokens or any(h == secret_hash for _, h in self._tokens.values()):
                raise Conflict("token id or secret already exists")
            self._tokens[token.id] = (token, secret_hash)

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        with self._lock:
            return next((t for t, h in self._tokens.values() if h == secret_hash), None)

    def tokens(self, operator_id: str | None = None) -> list[ApiToken]:
        with self._lock:
            found = [
                t for t, _ in self._tokens.values() if operator_id is None or t.operator_id == operator_id
            ]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def touch_token(self, token_id: str, now_ms: int) -> None:
        with self._lock:
            entry = self._tokens.get(token_id)
            if entry is not None:
                self._tokens[token_id] = (dataclasses.replace(entry[0], last_used_at=now_ms), entry[1])

    def revoke_token(self, token_id: str) -> bool:
        with self._lock:
            return self._tokens.pop(token_id, None) is not None

    def create_login(self, login: LoginSession, secret_hash: str) -> None:
        with self._lock:
            self._require(login.operator_id)
            if login.id in self._logins or any(h == secret_hash for _, h in self._logins.values()):
                raise Conflict("login session id or secret already exists")
            self._logins[login.id] = (login, secret_hash)

    def login_by_hash(self, secret_hash: str) -> LoginSession | None:
        with self._lock:
            return next((s for s, h in self._logins.values() if h == secret_hash), None)

    def touch_login(self, login_id: str, now_ms: int) -> None:
        with self._lock:
            entry = self._logins.get(login_id)
            if entry is not None:
                self._logins[login_id] = (dataclasses.replace(entry[0], last_seen_at=now_ms), entry[1])

    def delete_login(self, login_id: str) -> None:
        with self._lock:
            self._logins.pop(login_id, None)

    def purge_logins(self, *, seen_before: int, created_before: int) -> int:
        with self._lock:
            stale = [
                i
                for i, (s, _) in self._logins.items()
                if s.last_seen_at < seen_before or s.created_at < created_before
            ]
            for login_id in stale:
                del self._logins[login_id]
        return len(stale)

    def close(self) -> None:
        return None
