"""Identifier formats: one allowlist for every id that arrives from outside, and id generation."""

from __future__ import annotations

import re
import secrets

from reel.errors import InvalidField

# PostHog's rule (brief §6): at most 70 characters of [A-Za-z0-9-]; no dots, so no `..`, no slashes.
_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{1,70}")
_SERVER_ID = re.compile(r"[a-z]{3}_[A-Za-z0-9]{1,40}")


def check_client_id(value: object, field: str) -> str:
    """Return `value` if it is a valid recorder-generated id, else raise InvalidField naming `field`."""
    if not isinstance(value, str) or not _CLIENT_ID.fullmatch(value):
        raise InvalidField(f"{field} must be 1-70 characters of A-Z, a-z, 0-9 and '-'", field=field)
    return value


def is_server_id(value: str, prefix: str) -> bool:
    """True if `value` looks like an id Reel generated with `prefix` (e.g. 'ses')."""
    return bool(_SERVER_ID.fullmatch(value)) and value.startswith(prefix + "_")


def new_id(prefix: str) -> str:
    """A new random server-side id such as 'ses_3kT9...'."""
    return f"{prefix}_{secrets.token_urlsafe(15).replace('-', 'x').replace('_', 'y')}"


def new_app_key() -> str:
    """A new public app key (not a secret; checked together with the Origin)."""
    return "rk-" + secrets.token_hex(12)
