"""Deeply nested recordings over HTTP: whatever ingest accepts plays; deeper is refused naming the limit.

A DOM 126 elements deep, or a custom event nested 254 levels, used to be acknowledged and then answer
500 on its events endpoint for ever (orjson writes at most 255 levels). The limit is the parser's,
1,024 levels of JSON (docs/contracts/web-beacon.md); everything within it must play.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reel.domain.records import Application
from reel.processing.worker import process_pending
from support import ORIGIN, T0, post_beacon

HEAD = f'{{"v":1,"recording_id":"rec-deep","session_id":"ses-deep","sent_at":{T0},'
META = f'{{"type":4,"timestamp":{T0},"data":{{"href":"{ORIGIN}/","width":800,"height":600}}}}'


def deep_dom(levels: int) -> str:
    """A page whose body holds `levels` nested divs, the innermost with the text "leaf" (ids 100...)."""
    node = '{"type":3,"id":99,"textContent":"leaf"}'
    for i in range(levels):
        node = f'{{"type":2,"id":{100 + i},"tagName":"div","attributes":{{}},"childNodes":[{node}]}}'
    body = f'{{"type":2,"id":3,"tagName":"body","attributes":{{}},"childNodes":[{node}]}}'
    html = f'{{"type":2,"id":2,"tagName":"html","attributes":{{}},"childNodes":[{body}]}}'
    snapshot = f'{{"type":0,"id":1,"childNodes":[{html}]}}'
    return f'{{"type":2,"timestamp":{T0},"data":{{"node":{snapshot},"initialOffset":{{"top":0,"left":0}}}}}}'


def deep_custom(levels: int) -> str:
    """A custom event whose payload nests `levels` objects around the string "innermost"."""
    payload = '"innermost"'
    for _ in range(levels):
        payload = f'{{"a":{payload}}}'
    return f'{{"type":5,"timestamp":{T0 + 10},"data":{{"tag":"shop.deep","payload":{payload}}}}}'


def post(client: TestClient, app: Application, seq: int, *events: str) -> int:
    body = f'{HEAD}"seq":{seq},"events":[{",".join(events)}]}}'.encode()
    response = post_beacon(client, app, None, raw=body)
    if response.status_code != 200:
        assert response.status_code == 400, response.text
        message = response.json()["error"]["message"]
        assert "1024 levels" in message, message
    return response.status_code


def session_id(client: TestClient) -> str:
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    return str(session["id"])


def depth_of(text: str) -> int:
    deepest = level = 0
    for c in text:
        if c in "[{":
            level += 1
            deepest = max(deepest, level)
        elif c in "]}":
            level -= 1
    return deepest


@pytest.mark.parametrize("levels", [126, 130, 300, 505])
def test_a_page_deeper_than_orjson_writes_is_stored_and_plays(
    client: TestClient, demo_app: Application, levels: int
) -> None:
    assert post(client, demo_app, 0, META, deep_dom(levels)) == 200
    sid = session_id(client)
    events = client.get(f"/api/v1/sessions/{sid}/events")
    assert events.status_code == 200, events.text[:300]
    assert f'"id":{100 + levels - 1}' in events.text and '"id":99' in events.text  # nothing was cut
    assert "leaf" not in events.text  # and it was masked all the way down (mask_all)
    assert client.get(f"/sessions/{sid}").status_code == 200  # the player page and its first frame


@pytest.mark.parametrize("levels", [254, 300, 1019])
def test_a_custom_event_nested_to_the_limit_plays(
    client: TestClient, demo_app: Application, levels: int
) -> None:
    assert post(client, demo_app, 0, META, deep_dom(1), deep_custom(levels)) == 200
    sid = session_id(client)
    events = client.get(f"/api/v1/sessions/{sid}/events")
    assert events.status_code == 200, events.text[:300]
    assert "innermost" in events.text and depth_of(events.text) >= levels


@pytest.mark.parametrize("events", [deep_dom(510), deep_custom(1022), "[" * 1100 + "]" * 1100])
def test_deeper_than_the_limit_is_refused_naming_it(
    client: TestClient, demo_app: Application, events: str
) -> None:
    assert post(client, demo_app, 0, META, events) == 400
    assert client.get("/api/v1/sessions").json()["sessions"] == []


def chain(seq: int, parent: int, first: int, count: int) -> str:
    """A mutation adding `count` nested divs under `parent`, ids first..first+count-1, one add each."""
    adds = []
    for i in range(count):
        node = f'{{"type":2,"id":{first + i},"tagName":"div","attributes":{{}},"childNodes":[]}}'
        adds.append(f'{{"parentId":{parent if i == 0 else first + i - 1},"nextId":null,"node":{node}}}')
    data = f'{{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{",".join(adds)}]}}'
    return f'{{"type":3,"timestamp":{T0 + seq * 1000},"data":{data}}}'


def test_a_dom_built_deeper_across_beacons_is_processed_and_played(
    client: TestClient, demo_app: Application
) -> None:
    """Each beacon is shallow; the page they build is 1,200 elements deep, past what one stored
    document may hold. Processing keeps going (its saved state is cut at 500 levels) and it plays."""
    assert post(client, demo_app, 0, META, deep_dom(1)) == 200
    parent = 100
    for seq in range(1, 5):
        first = 1000 * seq
        assert post(client, demo_app, seq, chain(seq, parent, first, 300)) == 200
        parent = first + 299
        process_pending(client.app.state.reel)  # type: ignore[attr-defined]  # the state is saved each time
    click = f'{{"type":3,"timestamp":{T0 + 6000},"data":{{"source":2,"type":2,"id":100,"x":1,"y":1}}}}'
    assert post(client, demo_app, 5, click) == 200
    sid = session_id(client)
    assert client.get(f"/api/v1/sessions/{sid}/events").status_code == 200
    actions = client.get(f"/api/v1/sessions/{sid}/actions").json()["actions"]
    assert "click" in [a["kind"] for a in actions]  # the last beacon was processed after the deep ones
    assert client.get(f"/sessions/{sid}").status_code == 200
