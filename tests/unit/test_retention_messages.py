"""Tombstone messages, the retention boundary and blob prefixes (pure)."""

from __future__ import annotations

from reel.cli.retention import size_text
from reel.retention.deletion import user_reference
from reel.retention.messages import SessionDeleted, day, tombstone_message
from reel.storage.retention_store import DAY_MS, Tombstone, expires_at, prefixes_of

OCT_1 = 1_790_812_800_000  # 2026-10-01 00:00 UTC


def test_both_causes_say_when_and_why() -> None:
    purged = Tombstone("ses_a", "app_1", OCT_1 + 5, OCT_1 + 31 * DAY_MS, "retention", 31)
    asked = Tombstone("ses_b", "app_1", OCT_1, OCT_1 + 32 * DAY_MS, "request", 0)
    assert tombstone_message(purged) == (
        "This session was recorded on 2026-10-01 and deleted on 2026-11-01 under the 31-day retention policy."
    )
    assert tombstone_message(asked) == (
        "This session was recorded on 2026-10-01 and deleted on request on 2026-11-02."
    )
    error = SessionDeleted(asked)
    assert error.status == 410
    body = error.to_json()["error"]
    assert isinstance(body, dict) and body["deleted"]["retention_days"] is None


def test_dates_are_utc_days() -> None:
    assert day(OCT_1 - 1) == "2026-09-30" and day(OCT_1) == "2026-10-01"


def test_retention_ends_exactly_n_days_after_the_last_beacon() -> None:
    assert expires_at(OCT_1, 30) == OCT_1 + 30 * DAY_MS
    assert expires_at(OCT_1, 1) - OCT_1 == 86_400_000


def test_prefixes_name_every_retention_class_of_one_recording() -> None:
    keys = [
        "r30d/app_1/rec-1/0000000000-ab",
        "r90d/app_1/rec-1/cp-1",
        "r30d/app_1/rec-2/0",
        "odd",
        "a/b/rec-1",
    ]
    assert prefixes_of(keys, "rec-1") == {"r30d/app_1/rec-1/", "r90d/app_1/rec-1/"}


def test_the_audit_names_a_user_by_a_hash() -> None:
    ref = user_reference("alice@example.com")
    assert ref.startswith("user sha256:") and "alice" not in ref and len(ref) == len("user sha256:") + 16
    assert ref == user_reference("alice@example.com") != user_reference("bob@example.com")


def test_sizes_for_people() -> None:
    assert [size_text(n) for n in (0, 1023, 1024, 1536, 5 * 1024**3)] == [
        "0 B",
        "1023 B",
        "1.0 KiB",
        "1.5 KiB",
        "5.0 GiB",
    ]
