"""The operator store interface (operators, API tokens, login sessions) and its records.

The store keeps only hashes: an argon2 hash of each password, and the SHA-256 digest of each API token and
login-session secret. Turning secrets into hashes is `reel.credentials`' job; the store never sees a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["admin", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "viewer")


@dataclass(frozen=True)
class Operator:
    """A person of an application's team who looks at sessions; `app_ids` None means every application."""

    id: str
    name: str
    role: Role
    app_ids: tuple[str, ...] | None
    created_at: int
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        """Admins manage applications, rules, retention and operators; viewers search and play."""
        return self.role == "admin"

    def can_see(self, app_id: str) -> bool:
        """True if this operator may see the application's sessions."""
        return self.app_ids is None or app_id in self.app_ids


@dataclass(frozen=True)
class ApiToken:
    """A bearer token for scripts; its secret is shown once and stored as a SHA-256 digest."""

    id: str
    operator_id: str
    name: str
    created_at: int
    last_used_at: int | None = None
    expires_at: int | None = None


@dataclass(frozen=True)
class LoginSession:
    """A browser login (the `reel_session` cookie); its secret is stored as a SHA-256 digest."""

    id: str
    operator_id: str
    created_at: int
    last_seen_at: int


class OperatorStore(Protocol):
    """Operators and their credentials. Every write is one transaction; errors raise StorageUnavailable."""

    def create_operator(self, operator: Operator, password_hash: str | None) -> None:
        """Add an operator (None: no password, token access only); raises Conflict for a taken id or name."""
        ...

    def operator(self, operator_id: str) -> Operator | None:
        """The operator with this id."""
        ...

    def operator_by_name(self, name: str) -> Operator | None:
        """The operator with this name."""
        ...

    def operators(self) -> list[Operator]:
        """Every operator, oldest first."""
        ...

    def password_hash(self, operator_id: str) -> str | None:
        """The stored password hash of an operator, or None if it has no password."""
        ...

    def set_password_hash(self, operator_id: str, password_hash: str | None) -> None:
        """Replace an operator's password hash (for example after argon2 parameters changed)."""
        ...

    def set_disabled(self, operator_id: str, disabled: bool) -> None:
        """Disable or enable an operator; a disabled operator's tokens and logins stop working."""
        ...

    def create_token(self, token: ApiToken, secret_hash: str) -> None:
        """Add an API token whose secret has digest `secret_hash`."""
        ...

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        """The token whose secret has this digest."""
        ...

    def tokens(self, operator_id: str | None = None) -> list[ApiToken]:
        """Tokens of one operator (or of all), oldest first."""
        ...

    def touch_token(self, token_id: str, now_ms: int) -> None:
        """Record that the token was used at `now_ms`."""
        ...

    def revoke_token(self, token_id: str) -> bool:
        """Delete a token; False if there was no such token."""
        ...

    def create_login(self, login: LoginSession, secret_hash: str) -> None:
        """Add a login session whose cookie secret has digest `secret_hash`."""
        ...

    def login_by_hash(self, secret_hash: str) -> LoginSession | None:
        """The login session whose cookie secret has this digest."""
        ...

    def touch_login(self, login_id: str, now_ms: int) -> None:
        """Record activity on a login session (it expires when idle)."""
        ...

    def delete_login(self, login_id: str) -> None:
        """End a login session (logout); ending an unknown one is not an error."""
        ...

    def purge_logins(self, *, seen_before: int, created_before: int) -> int:
        """Delete login sessions idle since `seen_before` or started before `created_before`; the count."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
