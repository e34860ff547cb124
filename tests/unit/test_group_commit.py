"""The group commit's gathering: a lone beacon is committed at once; under load (the last group had
company) a group waits for the beacons that keep coming, and stops once none came for the gap."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any, cast

from reel.storage.group_commit import GroupCommitter
from reel.storage.session_store import BeaconWrite, SaveResult, SessionStore


class _Store:
    """Records each group's beacons; a commit can be held until the test lets it go."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()

    def save_beacons(self, writes: Sequence[Any]) -> list[SaveResult]:
        self.groups.append(list(writes))
        self.entered.set()
        assert self.hold.wait(30)
        return [SaveResult(duplicate=False, session_id=f"ses-{w}", clock_offset_ms=0) for w in writes]


def _committer(store: _Store, *, gather_s: float, gap_s: float) -> GroupCommitter:
    return GroupCommitter(cast(SessionStore, store), max_gather_s=gather_s, gather_gap_s=gap_s)


def _beacon(n: int) -> BeaconWrite:
    return cast(BeaconWrite, n)  # the fake store only passes it back


def test_a_lone_beacon_is_committed_without_waiting_for_company() -> None:
    store = _Store()
    committer = _committer(store, gather_s=60.0, gap_s=60.0)
    try:
        # Gathering would hold it for a minute; it is not gathered: no group before it had company.
        assert committer.submit(_beacon(1)).result(timeout=20).session_id == "ses-1"
        assert store.groups == [[1]]
    finally:
        committer.close()


def test_under_load_a_group_waits_for_beacons_that_keep_coming() -> None:
    store = _Store()
    committer = _committer(store, gather_s=20.0, gap_s=1.0)
    try:
        store.hold.clear()
        first = [committer.submit(_beacon(n)) for n in (1,)]
        assert store.entered.wait(20)  # [1] is being committed; 2 and 3 wait: the next group has two
        second = [committer.submit(_beacon(n)) for n in (2, 3)]
        store.entered.clear()
        store.hold.set()
        assert store.entered.wait(20)
        store.hold.clear()  # [2, 3] is being committed: it had company, so the next group gathers
        third = [committer.submit(_beacon(4))]
        store.entered.clear()
        store.hold.set()
        time.sleep(0.2)  # the committer gathers now, 4 waiting: 5 comes well within the gap
        third.append(committer.submit(_beacon(5)))
        for future in first + second + third:
            assert future.result(timeout=30).duplicate is False
        assert store.groups == [[1], [2, 3], [4, 5]]
    finally:
        store.hold.set()
        committer.close()


def test_closing_while_a_group_gathers_commits_what_waits() -> None:
    store = _Store()
    committer = _committer(store, gather_s=60.0, gap_s=60.0)
    store.hold.clear()
    committer.submit(_beacon(1))
    assert store.entered.wait(20)
    waiting = [committer.submit(_beacon(n)) for n in (2, 3)]
    store.entered.clear()
    store.hold.set()
    assert store.entered.wait(20)  # [2, 3] committed; the next group would gather for a minute
    last = committer.submit(_beacon(4))
    time.sleep(0.1)
    committer.close()  # does not wait out the gathering
    assert [f.result(timeout=1).session_id for f in [*waiting, last]] == ["ses-2", "ses-3", "ses-4"]
    assert store.groups == [[1], [2, 3], [4]]
