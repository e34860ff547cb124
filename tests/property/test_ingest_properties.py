"""Properties of beacon decoding: whatever the bytes, ingest answers a 4xx with a reason or accepts;
valid envelopes come out as they went in; gzip decodes the same however the body is cut."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reel.admin.applications import create_application
from reel.config import Limits, Settings
from reel.domain.records import Application
from reel.errors import InvalidField, ReelError
from reel.ingest.decode import CappedDecoder, decode_body
from reel.ingest.envelope import parse_web_beacon
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from strategies import corrupted_beacons, json_values, web_beacons

MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""For strategies that draw whole rrweb streams (slow to generate); the fuzz script runs them longer."""
ORIGIN = "http://shop.test:8701"


def refuses_with_a_4xx(body: bytes) -> ReelError | None:
    """Parse `body`; None if accepted, the error if refused — anything but a 4xx ReelError fails."""
    try:
        parse_web_beacon(body, max_events=1000)
    except ReelError as exc:
        assert 400 <= exc.status < 500, exc
        assert exc.message
        return exc
    return None


@MANY
@given(body=st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_with_a_4xx_or_accepted(body: bytes) -> None:
    refuses_with_a_4xx(body)


@MANY
@given(doc=json_values(max_leaves=30))
def test_arbitrary_json_is_refused_with_a_4xx_or_accepted(doc: Any) -> None:
    refuses_with_a_4xx(orjson.dumps(doc))


@SOME
@given(doc=corrupted_beacons())
def test_a_corrupted_envelope_is_refused_naming_a_field_that_exists(doc: dict[str, Any]) -> None:
    error = refuses_with_a_4xx(orjson.dumps(doc))
    if isinstance(error, InvalidField):
        assert error.field is not None
        top = error.field.split("[")[0].split(".")[0]
        assert top in doc or top in ("v", "recording_id", "session_id", "seq", "events")


@SOME
@given(doc=web_beacons())
def test_valid_envelopes_round_trip(doc: dict[str, Any]) -> None:
    beacon = parse_web_beacon(orjson.dumps(doc), max_events=1000)
    assert (beacon.recording_id, beacon.session_id, beacon.seq) == (
        doc["recording_id"],
        doc["session_id"],
        doc["seq"],
    )
    assert beacon.final == doc.get("final", False)
    assert beacon.sent_at == doc.get("sent_at")
    assert beacon.rules_version == doc.get("rules_version", 0)
    assert orjson.loads(orjson.dumps(list(beacon.events))) == orjson.loads(orjson.dumps(doc["events"]))


@MANY
@given(
    data=st.binary(max_size=20_000), cuts=st.lists(st.integers(1, 5000), max_size=8), level=st.integers(0, 9)
)
def test_gzip_decodes_the_same_however_the_body_is_cut(data: bytes, cuts: list[int], level: int) -> None:
    packed = gzip.compress(data, compresslevel=level)
    decoder = CappedDecoder("gzip", max_out=len(data))
    start = 0
    for cut in cuts:
        decoder.feed(packed[start : start + cut])
        start += cut
    decoder.feed(packed[start:])
    assert decoder.finish() == data


@MANY
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=2000).map(gzip.compress),
        st.tuples(st.binary(max_size=2000), st.integers(0, 50)).map(
            lambda t: gzip.compress(t[0])[: max(0, len(gzip.compress(t[0])) - t[1])]
        ),
        st.binary(max_size=300).map(lambda b: zlib.compress(b)),
    ),
    encoding=st.sampled_from(["gzip", "identity", "GZIP", " gzip ", "br", "", "x-gzip"]),
    cap=st.integers(0, 4000),
)
def test_the_decoder_refuses_with_a_4xx_and_never_exceeds_its_cap(
    body: bytes, encoding: str, cap: int
) -> None:
    try:
        out = decode_body(body, encoding, max_out=cap)
    except ReelError as exc:
        assert exc.status in (400, 413, 415), exc
        return
    assert len(out) <= cap


@pytest.fixture(scope="module")
def ingest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Application]]:
    settings_ = Settings(
        data_dir=Path(tmp_path_factory.mktemp("prop")),
        limits=Limits(max_body_bytes=64 * 1024, max_decompressed_bytes=256 * 1024, beacons_per_second=0),
    )
    app = create_app(
        settings_, sessions=memory_session_store(), blobs=MemoryReplayStore(), operators=MemoryOperatorStore()
    )
    shop = create_application(app.state.reel.sessions, "Shop", [ORIGIN], now_ms=1_764_240_000_000)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, shop


@FEW
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        corrupted_beacons().map(orjson.dumps),
        web_beacons().map(orjson.dumps),
    ),
    gzipped=st.booleans(),
)
def test_over_http_any_body_gets_a_4xx_with_a_reason_or_a_200(
    ingest: tuple[TestClient, Application], body: bytes, gzipped: bool
) -> None:
    client, shop = ingest
    params = {"k": shop.app_key, **({"ce": "gzip"} if gzipped else {})}
    response = client.post(
        "/v1/web/beacons",
        params=params,
        content=gzip.compress(body) if gzipped else body,
        headers={"Origin": ORIGIN, "Content-Type": "text/plain"},
    )
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.json()["error"]["message"]
