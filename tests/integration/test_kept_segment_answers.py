"""A segment kept masked in the replay store is answered as stored: the segment endpoint's body as zstd
frames, sent with `Content-Encoding: zstd` to a client that accepts it and decompressed for one that
does not, with a strong ETag and 304 for a client that has it already. The copy is never served for
other inputs: not after a rule change, not after a capture changes where one of its URLs points, not
when it was made by an older masking code, and a window a split cuts is kept as its own copy."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard
from fastapi.testclient import TestClient

from compacted import compact_to_end, kept_copies, record_clock
from conftest import BeaconMaker
from reel.config import Limits, SessionPolicy, Settings
from reel.domain.records import Application, Session
from reel.replay import kept
from reel.replay.assemble import draft_window, windows_of
from reel.replay.kept import WindowInputs, answer_opening, kept_key, segment_answer
from reel.runtime.context import ReelContext
from reel.storage.resource_store import CaptureRow, ResourceMeta
from support import MINUTE, ORIGIN, set_rules, tick

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
SPLIT_AFTER = 17 * MINUTE  # inside the fourth five-minute segment
LOGO = f"{ORIGIN}/logo.png"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """As conftest's, with parts split after 17 minutes: longer recordings here have a split inside a
    segment."""
    return Settings(
        data_dir=tmp_path / "data",
        limits=Limits(
            max_body_bytes=256 * 1024, max_decompressed_bytes=1024 * 1024, max_events_per_beacon=1000
        ),
        sessions=SessionPolicy(split_after_ms=SPLIT_AFTER),
    )


def record(client: TestClient, app: Application, beacon: BeaconMaker, minutes: int) -> ReelContext:
    """The clock (and an image) recorded for `minutes`, compacted to the end and kept masked."""
    ctx, worker = record_clock(client, app, beacon, minutes, logo=True)
    compact_to_end(ctx, worker)
    assert all(s.compacted for s in ctx.sessions.segments("rec-1"))
    return ctx


def sessions_of(ctx: ReelContext) -> list[Session]:
    first = ctx.sessions.beacon_session("rec-1", 0)
    assert first is not None
    session = ctx.sessions.session(first)
    assert session is not None
    return ctx.sessions.session_parts(session.app_id, "rec-1", session.client_session_id)


def segment_url(session_id: str, n: int, *, head: bool = True) -> str:
    return f"/api/v1/sessions/{session_id}/segments/{n}?head={'true' if head else 'false'}"


def raw_get(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body exactly as sent (no content decoding)."""
    with client.stream("GET", url, headers=headers) as response:
        return response.status_code, dict(response.headers), b"".join(response.iter_raw())


def fresh_answer(ctx: ReelContext, session: Session, n: int) -> dict[str, Any]:
    """The window masked now from the segment, with nothing kept: what every answer must equal."""
    window = next(w for w in windows_of(ctx, session) if w.n == n)
    built = draft_window(ctx, session, window, ctx.rules.current(session.app_id).rules)
    assert window.end is not None
    body = segment_answer(answer_opening(n, window.start, window.end), built.head, built.events)
    parsed: dict[str, Any] = orjson.loads(body)
    return parsed


def test_a_kept_segment_is_sent_as_stored_and_decodes_to_the_plain_answer(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    set_rules(client, demo_app, {"preset": "mask_inputs"})
    ctx = record(client, demo_app, beacon, 12)
    [session] = sessions_of(ctx)
    copies = kept_copies(ctx)
    assert len(copies) == len(ctx.sessions.segments("rec-1")) >= 2
    for n in (0, 1):
        for head in (True, False):
            url = segment_url(session.id, n, head=head)
            status, headers, body = raw_get(client, url, {"Accept-Encoding": "gzip, deflate, br, zstd"})
            assert status == 200 and headers["content-encoding"] == "zstd" and body.startswith(ZSTD_MAGIC)
            assert (
                headers["cache-control"] == "private, no-cache"
                and "accept-encoding" in headers["vary"].lower()
            )
            # Concatenated frames: one zstd stream, read frame by frame as a browser does.
            decoded = b""
            rest = body
            while rest:
                reader = zstandard.ZstdDecompressor().decompressobj()
                decoded += reader.decompress(rest)
                rest = reader.unused_data
            status, plain_headers, plain = raw_get(client, url, {"Accept-Encoding": "identity"})
            assert status == 200 and "content-encoding" not in plain_headers
            assert decoded == plain
            assert plain_headers["etag"] != headers["etag"]
            expected = fresh_answer(ctx, session, n)
            if not head:
                expected["head"] = []
            assert orjson.loads(plain) == expected
            assert any("reading" in str(e) for e in expected["events"])
        # With its head, the zstd answer is the stored blob's frames, byte for byte.
        [key] = [k for k in copies if f"msk-{n:06d}-" in k]
        stored = ctx.blobs.get(key)
        _, _, body = raw_get(client, segment_url(session.id, n), {"Accept-Encoding": "zstd"})
        assert stored.endswith(body) and stored.index(b"\n") + 1 == len(stored) - len(body)


def test_a_client_holding_the_answer_gets_304_until_the_rules_change(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    set_rules(client, demo_app, {"preset": "mask_inputs"})
    ctx = record(client, demo_app, beacon, 12)
    [session] = sessions_of(ctx)
    url = segment_url(session.id, 1)
    first = client.get(url, headers={"Accept-Encoding": "zstd"})
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"Accept-Encoding": "zstd", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (
        client.get(url, headers={"Accept-Encoding": "zstd", "If-None-Match": f"W/{etag}"}).status_code == 304
    )
    # Another representation (no head, or not compressed) is not what the client holds.
    no_head = client.get(segment_url(session.id, 1, head=False), headers={"If-None-Match": etag})
    assert no_head.status_code == 200 and no_head.json()["head"] == []
    plain = client.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    assert plain.status_code == 200 and plain.json() == first.json()

    set_rules(client, demo_app, {"preset": "mask_inputs", "rules": [{"type": "mask", "selector": "#clock"}]})
    after = client.get(url, headers={"Accept-Encoding": "zstd", "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert "reading" not in after.text and "reading" in first.text


def test_a_capture_since_the_copy_changes_the_answer_and_its_etag(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    set_rules(client, demo_app, {"preset": "mask_inputs"})
    ctx = record(client, demo_app, beacon, 12)
    [session] = sessions_of(ctx)
    url = segment_url(session.id, 0)
    before = client.get(url, headers={"Accept-Encoding": "zstd"})
    body = b"\x89PNG\r\n\x1a\n" + b"\x02" * 16
    digest = hashlib.sha256(body).hexdigest()
    assert f"/resources/{digest}" not in before.text
    now = ctx.clock.now_ms()
    ctx.resources.enqueue(demo_app.id, "rec-1", [LOGO], now)
    ctx.resources.save_resource(ResourceMeta(digest, "image/png", len(body), now), [], now)
    ctx.resources.finish(demo_app.id, "rec-1", [CaptureRow(LOGO, "captured", digest)], now)

    after = client.get(url, headers={"Accept-Encoding": "zstd", "If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert f"/resources/{digest}" in after.text
    assert orjson.loads(after.content) == fresh_answer(ctx, session, 0)
    ctx.replay_cache.clear()  # after a restart, the copy made again is read, pointing at the capture
    assert f"/resources/{digest}" in client.get(url).text


def test_a_copy_made_by_masking_code_1_is_never_served(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_rules(client, demo_app, {"preset": "mask_inputs"})
    ctx = record(client, demo_app, beacon, 12)
    [session] = sessions_of(ctx)
    version = ctx.rules.current(demo_app.id).rules.version
    segment = ctx.sessions.segments("rec-1")[1]
    window = next(w for w in windows_of(ctx, session) if w.n == 1)
    current = kept_key(WindowInputs(segment, window), version)
    with monkeypatch.context() as patch:
        patch.setattr(kept, "MASKING_CODE", "1")
        older = kept_key(WindowInputs(segment, window), version)
    assert older != current
    # Code 1's layout (zstd of `looked up \n head \n events`) with text no masking of now would show.
    canary = orjson.dumps([tick(segment.start_ts + 1, "CANARY-CODE-1")])
    code1 = zstandard.ZstdCompressor().compress(b"\n".join((b"{}", b"[]", canary)))
    for stale in kept_copies(ctx):
        ctx.blobs.delete(stale)
    ctx.blobs.put(older, code1)
    ctx.replay_cache.clear()
    answer = client.get(segment_url(session.id, 1))
    assert answer.status_code == 200 and "CANARY" not in answer.text
    assert older not in kept_copies(ctx) and current in kept_copies(ctx)  # replaced by code 2's copy

    ctx.blobs.put(current, code1)  # an older layout under today's key: unreadable, made again
    ctx.replay_cache.clear()
    answer = client.get(segment_url(session.id, 1), headers={"Accept-Encoding": "zstd"})
    assert answer.status_code == 200 and "CANARY" not in answer.text
    assert answer.json() == fresh_answer(ctx, session, 1)
    assert not ctx.blobs.get(current).startswith(ZSTD_MAGIC)


def test_windows_a_split_cuts_are_kept_apart_and_answer_as_masked_now(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    set_rules(client, demo_app, {"preset": "mask_inputs"})
    ctx = record(client, demo_app, beacon, 25)
    parts = sessions_of(ctx)
    assert len(parts) == 2
    windows = [(p, w) for p in parts for w in windows_of(ctx, p)]
    segments = ctx.sessions.segments("rec-1")
    cut = [(p, w) for p, w in windows if not kept.whole(w, next(s for s in segments if s.idx == w.n))]
    assert len(cut) == 2 and cut[0][1].n == cut[1][1].n  # one segment, played by both parts
    # The warmer kept every window, the two sides of the cut as two copies.
    copies = kept_copies(ctx)
    assert len(copies) == len(windows), copies
    assert sum(1 for k in copies if f"msk-{cut[0][1].n:06d}-c" in k) == 2
    for part, window in windows:
        answer = client.get(segment_url(part.id, window.n), headers={"Accept-Encoding": "zstd"})
        assert answer.headers.get("content-encoding") == "zstd" and "etag" in answer.headers
        assert answer.json() == fresh_answer(ctx, part, window.n)
    before = {p.id: client.get(segment_url(p.id, cut[0][1].n)).json() for p, _ in cut}
    assert before[cut[0][0].id]["end"] == before[cut[1][0].id]["start"]  # the split time
    assert kept_copies(ctx) == copies  # reading them made and replaced nothing
