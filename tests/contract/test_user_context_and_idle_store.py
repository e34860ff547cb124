"""Contract: every session store backend keeps the user's context, the traits and the idle periods alike,
deletes the idle periods with their recording, and filters by the context and the new search fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from reel.domain.beacons import BeaconSummary
from reel.domain.records import (
    Application,
    IdlePeriod,
    ProcessingBatch,
    Session,
    SessionKey,
    SessionQuery,
    StoredAction,
    StoredBeacon,
)
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.domain.user_context import UserContext
from reel.storage.session_store import BeaconWrite, SessionStore
from services import SESSION_BACKENDS, open_session_backend

T0 = 1_764_240_000_000
LEASE_MS = 60_000
DESK = UserContext(
    browser="Chrome 131",
    os="macOS",
    device="desktop",
    viewport_width=1280,
    viewport_height=800,
    language="en-GB",
    timezone="Europe/London",
    referrer="https://r.example/",
)
PHONE = UserContext(
    browser="Safari 17",
    os="iOS",
    device="mobile",
    viewport_width=390,
    viewport_height=844,
    language="fr-FR",
    timezone="Europe/Paris",
)


@pytest.fixture(params=SESSION_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    s = open_session_backend(request, tmp_path)
    app = Application(id="app_1", name="A", app_key="rk-1", origins=("https://a.example",), created_at=T0)
    s.create_application(app)
    yield s
    s.close()


def write(recording: str, seq: int, context: UserContext | None) -> BeaconWrite:
    key = SessionKey("app_1", recording, "c-1")
    summary = BeaconSummary(
        T0 + seq * 1000, T0 + seq * 1000 + 500, 3, ("https://a.example/",), seq == 0, True
    )
    facts = BeaconFacts(seq=seq, summary=summary, received_at=T0 + seq, final=False, context=context)
    row = StoredBeacon("app_1", recording, seq, "", "", T0 + seq, summary.first_ts, summary.last_ts, 3, 0)

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, key, facts, f"ses_{recording}")

    return BeaconWrite(key, row, b"events", fold)


def action(
    recording: str, kind: str, label: str = "", url: str = "https://a.example/", **data: object
) -> StoredAction:
    return StoredAction(
        recording, f"ses_{recording}", "app_1", T0 + 100 + len(label), kind, url, "", label, dict(data)
    )


def process(
    store: SessionStore, recording: str, *actions: StoredAction, idle: tuple[IdlePeriod, ...] = ()
) -> None:
    lease = store.take_lease(recording, "w", T0, LEASE_MS)
    assert lease is not None
    store.save_processing(ProcessingBatch(recording, 1, "{}", actions, (), T0, lease, idle=idle))
    store.release_lease(lease)


def test_the_context_of_the_first_page_and_the_last_traits_are_kept(store: SessionStore) -> None:
    store.save_beacons([write("rec-1", 0, DESK), write("rec-1", 1, PHONE), write("rec-2", 0, None)])
    process(
        store,
        "rec-1",
        action("rec-1", "identify", "alice", traits={"plan": "free"}),
        action("rec-1", "identify", "alice-2", traits={"plan": "pro", "tags": ["a", "b"]}),
    )
    s = store.session("ses_rec-1")
    assert s is not None
    # A session is its user's context and more: the context part alone is what the first page sent.
    assert UserContext(**{f.name: getattr(s, f.name) for f in dataclasses.fields(UserContext)}) == DESK
    assert (s.user_id, s.traits) == ("alice-2", {"plan": "pro", "tags": ["a", "b"]})
    bare = store.session("ses_rec-2")
    assert bare is not None and (bare.browser, bare.device, bare.traits) == ("", "", {})


def test_idle_periods_are_stored_extended_and_deleted_with_their_recording(store: SessionStore) -> None:
    store.save_beacons([write("rec-1", 0, DESK), write("rec-1", 1, None)])
    process(store, "rec-1", idle=(IdlePeriod("ses_rec-1", T0 + 2000, T0 + 9000),))
    # A later round knows the same period longer (same start), and finds another one.
    later = (
        IdlePeriod("ses_rec-1", T0 + 2000, T0 + 42_000),
        IdlePeriod("ses_rec-1", T0 + 50_000, T0 + 60_000),
    )
    process(store, "rec-1", idle=later)
    process(store, "rec-1", idle=(IdlePeriod("ses_rec-1", T0 + 2000, T0 + 9000),))  # never shortened
    assert store.idle_periods("ses_rec-1") == list(later)
    assert store.idle_periods("ses_nothing") == []
    assert store.delete_recordings(["rec-1"], cause="request", now=T0 + 1).recordings == ("rec-1",)
    assert store.idle_periods("ses_rec-1") == []


def test_search_by_user_prefix_event_page_dead_clicks_and_context(store: SessionStore) -> None:
    store.save_beacons([write("rec-1", 0, DESK), write("rec-2", 0, PHONE)])
    process(
        store,
        "rec-1",
        action("rec-1", "identify", "alice_1"),
        action("rec-1", "custom", "signup-started"),
        action("rec-1", "dead_click"),
        action("rec-1", "load", url="https://a.example/pricing"),
    )
    process(store, "rec-2", action("rec-2", "identify", "alicia"), action("rec-2", "custom", "signup"))

    def found(**filters: object) -> list[str]:
        page = store.list_sessions(SessionQuery(sort="start", descending=False, **filters))  # type: ignore[arg-type]
        return [s.id for s in page.sessions]

    both = ["ses_rec-1", "ses_rec-2"]
    assert found(user_prefix="ali") == both
    assert found(user_prefix="alice_") == ["ses_rec-1"]
    assert found(user_prefix="alic%") == []
    assert found(event_name="signup") == ["ses_rec-2"]
    assert found(page_contains="/pricing") == ["ses_rec-1"]
    assert found(has_dead_clicks=True) == ["ses_rec-1"] and found(has_dead_clicks=False) == ["ses_rec-2"]
    assert found(browser="Chrome") == ["ses_rec-1"] and found(browser="Safari 17") == ["ses_rec-2"]
    assert found(browser="Chrom") == []
    assert found(os="iOS") == ["ses_rec-2"] and found(device="desktop") == ["ses_rec-1"]
    assert found(language="fr") == ["ses_rec-2"] and found(language="en-GB") == ["ses_rec-1"]
    assert found(language="f") == []
