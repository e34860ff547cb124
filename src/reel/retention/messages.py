"""What a deleted session says when it is opened: a 410 with why and when (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reel.errors import Gone
from reel.storage.retention_store import Tombstone


def day(ms: int) -> str:
    """The UTC calendar date of a time in ms since the epoch, as 2026-10-01."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def tombstone_message(t: Tombstone) -> str:
    """Why and when a session was deleted, for people: dates only, nothing of what it showed."""
    if t.cause == "retention":
        return (
            f"This session was recorded on {day(t.recorded_at)} and deleted on {day(t.deleted_at)} "
            f"under the {t.retention_days}-day retention policy."
        )
    return f"This session was recorded on {day(t.recorded_at)} and deleted on request on {day(t.deleted_at)}."


def tombstone_json(t: Tombstone) -> dict[str, Any]:
    """The public JSON form of a tombstone (docs/contracts/retention.md)."""
    return {
        "session_id": t.session_id,
        "app_id": t.app_id,
        "recorded_at": t.recorded_at,
        "deleted_at": t.deleted_at,
        "cause": t.cause,
        "retention_days": t.retention_days or None,
    }


class SessionDeleted(Gone):
    """A session that existed and was deleted: 410 with the message and the tombstone's dates."""

    def __init__(self, tombstone: Tombstone) -> None:
        super().__init__(tombstone_message(tombstone))
        self.tombstone = tombstone

    def to_json(self) -> dict[str, object]:
        body = super().to_json()
        error = body["error"]
        if isinstance(error, dict):
            error["deleted"] = tombstone_json(self.tombstone)
        return body
