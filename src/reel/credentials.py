"""Secrets and their hashes: argon2 for passwords, SHA-256 for random tokens, HMAC for CSRF tokens."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "reel_"  # noqa: S105 -- a public prefix that makes leaked tokens greppable, not a secret
# Passwords longer than this are refused before hashing: argon2 is deliberately slow, and a megabyte
# password posted to /login should not buy an attacker more CPU than a short one.
MAX_PASSWORD_CHARS = 1024

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as much time as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of `password`, in argon2's self-describing encoded form."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; a missing hash still spends one verification, then answers False."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def new_api_token() -> str:
    """A new API token secret: `reel_` and 256 random bits, shown to the operator once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_secret() -> str:
    """A new login-session cookie value (256 random bits)."""
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    """A random CSRF token for a browser that has not logged in yet (the login form)."""
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """SHA-256 of a random secret, hex: what the store keeps instead of the token or cookie value."""
    return hashlib.sha256(secret.encode()).hexdigest()


def session_csrf_token(session_secret: str) -> str:
    """The CSRF token bound to one login session: an HMAC of its secret, useless without the cookie."""
    return hmac.new(session_secret.encode(), b"reel-csrf-v1", hashlib.sha256).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode(), b.encode())
