"""Distinct, realistic gzip web beacons for the ingest load benchmark (docs/contracts/web-beacon.md).

Many recordings of a shop-like web app, as Reel's recorder sends them under the default masking (text
as runs of `*`, input values masked): the first beacon of a recording and every page change carry a
Meta and a full snapshot; the others carry 5 s of activity — mutations (ticking texts, attribute
changes, rows added and removed), mouse moves, clicks, scrolls, typing, now and then a custom event.
Beacons are ordered as they would reach the server: recordings overlap in time, each flushes every
~5 s with increasing `seq`, and the last beacon of most recordings is `final` (pagehide).
"""

from __future__ import annotations

import gzip
import random
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

Event = dict[str, Any]
FLUSH_MS = 5_000
ORIGIN = "https://shop.bench.example"
_PAGES = ("/", "/catalog", "/catalog/shoes", "/product/1234", "/cart", "/checkout", "/account", "/search")
_TAGS = ("div", "span", "p", "a", "li", "button", "h2", "h3", "label", "img")


def _stars(length: int) -> str:
    """Masked text as the recorder writes it: a power of two of stars, a space every eight."""
    size = 4
    while size < length and size < 2048:
        size *= 2
    return "".join(" *" if i and i % 8 == 0 else "*" for i in range(size))


class Page:
    """One page of the app as the recorder serialises it; hands out fresh node ids."""

    def __init__(self, rng: random.Random, path: str) -> None:
        self.rng = rng
        self.path = path
        self.next_id = 1
        self.texts: list[int] = []
        self.elements: list[int] = []
        self.inputs: list[int] = []
        self.removable: list[tuple[int, int]] = []  # (parent, child) pairs a mutation may remove
        self.lists: list[int] = []

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def text(self, length: int) -> Event:
        node_id = self._id()
        self.texts.append(node_id)
        return {"type": 3, "textContent": _stars(length), "id": node_id}

    def element(self, tag: str, attrs: dict[str, Any], kids: list[Event]) -> Event:
        node_id = self._id()
        self.elements.append(node_id)
        return {"type": 2, "tagName": tag, "attributes": attrs, "childNodes": kids, "id": node_id}

    def item(self) -> Event:
        """A product card or list row: a few elements with masked text, sometimes an image."""
        rng = self.rng
        kids: list[Event] = []
        for _ in range(rng.randint(2, 5)):
            tag = rng.choice(_TAGS)
            attrs: dict[str, Any] = {"class": f"c-{tag} c{rng.randint(0, 40)}"}
            if tag == "img":
                attrs = {"src": f"{ORIGIN}/img/p{rng.randint(1, 9999)}.webp", "alt": _stars(12), **attrs}
                kids.append(self.element(tag, attrs, []))
            else:
                kids.append(self.element(tag, attrs, [self.text(rng.randint(3, 40))]))
        return self.element("li", {"class": "card", "data-sku": str(rng.randint(10**5, 10**6))}, kids)

    def snapshot(self) -> Event:
        """The serialised document (a `FullSnapshot`'s node), 100-500 nodes."""
        rng = self.rng
        css = " ".join(f".c{i}{{margin:{i % 7}px;color:#{rng.randint(0, 0xFFFFFF):06x}}}" for i in range(40))
        head = self.element(
            "head",
            {},
            [
                self.element("meta", {"charset": "utf-8"}, []),
                self.element("title", {}, [self.text(16)]),
                self.element(
                    "style", {}, [{"type": 3, "textContent": css, "isStyle": True, "id": self._id()}]
                ),
            ],
        )
        nav = self.element(
            "nav", {"class": "nav"}, [self.element("a", {"href": p}, [self.text(8)]) for p in _PAGES]
        )
        form = [
            self.element("input", {"type": "text", "name": f"f{i}", "value": "*****"}, [])
            for i in range(rng.randint(1, 6))
        ]
        self.inputs = [node["id"] for node in form]
        lists = []
        for _ in range(rng.randint(1, 3)):
            items = [self.item() for _ in range(rng.randint(4, 18))]
            ul = self.element("ul", {"class": "list"}, items)
            self.lists.append(ul["id"])
            self.removable.extend((ul["id"], item["id"]) for item in items)
            lists.append(ul)
        main = self.element("main", {"class": "page"}, [*lists, self.element("form", {}, form)])
        body = self.element("body", {"class": "shop"}, [nav, main])
        html = self.element("html", {"lang": "en"}, [head, body])
        doctype = {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": self._id()}
        return {"type": 0, "childNodes": [doctype, html], "id": self._id()}


def _checkout(page: Page, ts: int) -> list[Event]:
    return [
        {"type": 4, "timestamp": ts, "data": {"href": ORIGIN + page.path, "width": 1440, "height": 900}},
        {
            "type": 2,
            "timestamp": ts,
            "data": {"node": page.snapshot(), "initialOffset": {"top": 0, "left": 0}},
        },
    ]


def _mutation(page: Page, rng: random.Random, ts: int) -> Event:
    texts = [
        {"id": rng.choice(page.texts), "value": _stars(rng.randint(2, 30))} for _ in range(rng.randint(0, 4))
    ]
    attributes = [
        {
            "id": rng.choice(page.elements),
            "attributes": {"class": f"c{rng.randint(0, 40)} is-{rng.randint(0, 3)}"},
        }
        for _ in range(rng.randint(0, 3))
    ]
    adds: list[Event] = []
    removes: list[Event] = []
    if page.lists and rng.random() < 0.3:
        parent = rng.choice(page.lists)
        adds.append({"parentId": parent, "nextId": None, "node": page.item()})
    if page.removable and rng.random() < 0.2:
        parent, child = page.removable.pop(rng.randrange(len(page.removable)))
        removes.append({"parentId": parent, "id": child})
    data = {"source": 0, "texts": texts, "attributes": attributes, "removes": removes, "adds": adds}
    return {"type": 3, "timestamp": ts, "data": data}


def _activity(page: Page, rng: random.Random, start: int) -> list[Event]:
    """About 5 s of what a visitor does, in time order."""
    events: list[Event] = []
    data: Event
    ts = start
    for _ in range(rng.randint(11, 34)):
        ts += rng.randint(100, 600)
        kind = rng.random()
        if kind < 0.35:
            positions = [
                {
                    "x": rng.randint(0, 1440),
                    "y": rng.randint(0, 900),
                    "id": rng.choice(page.elements),
                    "timeOffset": -50 * i,
                }
                for i in range(rng.randint(1, 10))
            ]
            events.append({"type": 3, "timestamp": ts, "data": {"source": 1, "positions": positions}})
        elif kind < 0.65:
            events.append(_mutation(page, rng, ts))
        elif kind < 0.75:
            target = rng.choice(page.elements)
            for click_type in (1, 0, 2):  # mouse down, up, click
                data = {
                    "source": 2,
                    "type": click_type,
                    "id": target,
                    "x": rng.randint(0, 1440),
                    "y": rng.randint(0, 900),
                }
                events.append({"type": 3, "timestamp": ts, "data": data})
        elif kind < 0.85:
            data = {"source": 3, "id": 1, "x": 0, "y": rng.randint(0, 4000)}
            events.append({"type": 3, "timestamp": ts, "data": data})
        elif kind < 0.97 and page.inputs:
            data = {
                "source": 5,
                "id": rng.choice(page.inputs),
                "text": _stars(rng.randint(1, 20)),
                "isChecked": False,
            }
            events.append({"type": 3, "timestamp": ts, "data": data})
        else:
            payload = {
                "tag": "reel.event",
                "payload": {"name": "add_to_cart", "props": {"qty": rng.randint(1, 3)}},
            }
            events.append({"type": 5, "timestamp": ts, "data": payload})
    return events


@dataclass(frozen=True)
class Beacon:
    """One gzip body and who sent it."""

    recording_id: str
    seq: int
    sent_at: int
    body: bytes


def _recording(rng: random.Random, ids: random.Random, start_ms: int, beacons: int) -> list[Beacon]:
    recording_id = str(uuid.UUID(int=ids.getrandbits(128), version=4))
    session_id = str(uuid.UUID(int=ids.getrandbits(128), version=4))
    final = rng.random() < 0.7
    page = Page(rng, rng.choice(_PAGES))
    out: list[Beacon] = []
    for seq in range(beacons):
        cut = start_ms + (seq + 1) * FLUSH_MS + rng.randint(-300, 300)
        first = cut - FLUSH_MS
        events: list[Event] = []
        if seq == 0:
            events.extend(_checkout(page, first))
        elif rng.random() < 0.06:  # a page change: the recorder takes a new full snapshot
            page = Page(rng, rng.choice(_PAGES))
            events.extend(_checkout(page, first))
        events.extend(_activity(page, rng, first))
        doc = {
            "v": 1,
            "recording_id": recording_id,
            "session_id": session_id,
            "seq": seq,
            "sent_at": cut,
            "final": final and seq == beacons - 1,
            "rules_version": 0,
            "events": events,
        }
        out.append(Beacon(recording_id, seq, cut, gzip.compress(orjson.dumps(doc), compresslevel=6, mtime=0)))
    return out


def generate(count: int, now_ms: int, *, seed: int = 12, id_seed: int = 0) -> list[Beacon]:
    """`count` distinct beacons in the order they would reach the server, sent around `now_ms`.

    Recordings last 1-60 beacons (mean ~25); they start over a window sized so that ~400 are recording
    at once, and every send time stays within 10 min of `now_ms` (so no clock shift applies). `seed`
    fixes the content, `id_seed` the recording and session ids (vary it to send the same content to a
    database that holds an earlier run).
    """
    rng = random.Random(seed)
    ids = random.Random(id_seed)
    recordings: list[list[Beacon]] = []
    total = 0
    window_ms = min(max(60_000, count * FLUSH_MS // 400), 540_000)
    while total < count:
        length = min(
            rng.randint(1, 20) + rng.randint(0, 20) + (rng.randint(0, 20) if rng.random() < 0.5 else 0),
            count - total,
        )
        start = now_ms - window_ms // 2 + rng.randint(0, window_ms)
        recordings.append(_recording(rng, ids, start, length))
        total += length
    every = [beacon for rec in recordings for beacon in rec]
    every.sort(key=lambda b: (b.sent_at, b.seq))
    return every
