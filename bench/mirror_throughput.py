"""DOM mirror throughput: MB of event JSON per second, against parsing the same JSON alone.

The stream imitates a recorded dashboard session, beacon by beacon: a ~2,700-node page, then every
100 ms ticking cells (text mutations), bars that resize (style-object attribute mutations), rows
replaced in a table (rrweb-style single-node adds with nextId, and removes), mouse moves, clicks,
scrolls, typing, CSS-in-JS insertRule calls, and a checkout (Meta + full snapshot) every 5 minutes.

Run: `python -m bench mirror_throughput` or `python bench/mirror_throughput.py [minutes]`.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from typing import Any

import orjson

from reel.dom.mirror import DomMirror

Event = dict[str, Any]
TICK_MS = 100
BEACON_MS = 5_000


class Page:
    """The recorded page: builds its snapshot and hands out fresh node ids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_id = 1
        self.cells: list[int] = []  # text nodes that tick
        self.bars: list[int] = []  # elements whose width changes
        self.rows: list[int] = []  # table rows, in order
        self.tbody = 0
        self.inputs: list[int] = []
        self.styles: list[int] = []

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def el(self, tag: str, attrs: dict[str, Any] | None = None, kids: list[Event] | None = None) -> Event:
        return {
            "type": 2,
            "tagName": tag,
            "attributes": attrs or {},
            "childNodes": kids or [],
            "id": self.new_id(),
        }

    def text(self, value: str) -> Event:
        return {"type": 3, "textContent": value, "id": self.new_id()}

    def row(self, n: int) -> Event:
        cells = [
            self.el("td", {"class": "cell"}, [self.text(f"r{n}c{c} {self.rng.random():.4f}")])
            for c in range(6)
        ]
        return self.el("tr", {"class": "row", "data-n": str(n)}, cells)

    def snapshot(self) -> Event:
        css = " ".join(f".c{i} {{ color: #{i:06x}; margin: {i}px; }}" for i in range(200))
        self.styles = []
        head_kids = []
        for _ in range(8):
            style = self.el("style", {}, [self.text(css)])
            self.styles.append(style["id"])
            head_kids.append(style)
        nav = self.el(
            "nav",
            {"class": "nav"},
            [self.el("a", {"href": f"/p/{i}"}, [self.text(f"Link {i}")]) for i in range(60)],
        )
        cards = []
        self.cells, self.bars = [], []
        for i in range(60):
            value = self.text(f"{self.rng.randint(0, 9999)}")
            self.cells.append(value["id"])
            bar = self.el("div", {"class": "bar", "style": f"width: {i}%;"})
            self.bars.append(bar["id"])
            label = self.el("span", {"class": "label"}, [self.text(f"Metric {i}")])
            cards.append(
                self.el("div", {"class": "card", "id": f"card-{i}"}, [label, self.el("b", {}, [value]), bar])
            )
        rows = [self.row(n) for n in range(250)]
        self.rows = [r["id"] for r in rows]
        tbody = self.el("tbody", {}, rows)
        self.tbody = tbody["id"]
        form = [self.el("input", {"type": "text", "name": f"f{i}"}) for i in range(10)]
        self.inputs = [f["id"] for f in form]
        body = self.el(
            "body",
            {},
            [nav, self.el("main", {}, cards), self.el("table", {}, [tbody]), self.el("form", {}, form)],
        )
        html = self.el("html", {"lang": "en"}, [self.el("head", {}, head_kids), body])
        self.root = self.new_id()
        return {
            "type": 0,
            "childNodes": [
                {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": self.new_id()},
                html,
            ],
            "id": self.root,
        }


def _incremental(data: Event, ts: int) -> Event:
    return {"type": 3, "data": data, "timestamp": ts}


def _checkout(page: Page, ts: int) -> list[Event]:
    node = page.snapshot()
    return [
        {"type": 4, "data": {"href": "https://dash.example/", "width": 1440, "height": 900}, "timestamp": ts},
        {"type": 2, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}, "timestamp": ts},
    ]


def _replace_row(page: Page, rng: random.Random, ts: int) -> Event:
    """Remove one row, add a new one before another: rrweb sends each new node as its own add."""
    victim = page.rows.pop(rng.randrange(len(page.rows)))
    position = rng.randrange(len(page.rows))
    before = page.rows[position]
    row = page.row(rng.randrange(10**6))
    adds: list[Event] = []
    for cell in reversed(row["childNodes"]):  # rrweb lists later siblings first
        text = cell["childNodes"][0]
        adds.append({"parentId": cell["id"], "nextId": None, "node": text})
        next_cell = adds[-2]["node"]["id"] if len(adds) > 1 else None
        shallow = {**cell, "childNodes": []}
        adds.append({"parentId": row["id"], "nextId": next_cell, "node": shallow})
    adds.append({"parentId": page.tbody, "nextId": before, "node": {**row, "childNodes": []}})
    page.rows.insert(position, row["id"])
    removes = [{"parentId": page.tbody, "id": victim}]
    return _incremental({"source": 0, "texts": [], "attributes": [], "removes": removes, "adds": adds}, ts)


def _tick(page: Page, rng: random.Random, ts: int, tick: int) -> list[Event]:
    out: list[Event] = []
    texts = [{"id": rng.choice(page.cells), "value": str(rng.randint(0, 99999))} for _ in range(12)]
    attributes = [
        {"id": rng.choice(page.bars), "attributes": {"style": {"width": f"{rng.randint(0, 100)}%"}}}
        for _ in range(6)
    ]
    attributes.append({"id": rng.choice(page.bars), "attributes": {"class": rng.choice(("bar", "bar hot"))}})
    out.append(
        _incremental({"source": 0, "texts": texts, "attributes": attributes, "removes": [], "adds": []}, ts)
    )
    positions = [
        {
            "x": rng.randint(0, 1440),
            "y": rng.randint(0, 900),
            "id": rng.choice(page.bars),
            "timeOffset": -i * 16,
        }
        for i in range(6)
    ]
    out.append(_incremental({"source": 1, "positions": positions}, ts + 1))
    if tick % 10 == 0:
        out.append(_replace_row(page, rng, ts + 2))
    if tick % 7 == 0:
        out.append(_incremental({"source": 3, "id": page.root, "x": 0, "y": rng.randint(0, 3000)}, ts + 3))
    if tick % 3 == 0:
        target = rng.choice(page.inputs)
        typed = "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(1, 20)))
        out.append(_incremental({"source": 5, "id": target, "text": typed, "isChecked": False}, ts + 4))
    if tick % 13 == 0:
        out.append(
            _incremental({"source": 2, "type": 2, "id": rng.choice(page.bars), "x": 10, "y": 20}, ts + 5)
        )
    if tick % 20 == 0:
        rule = f".css-{tick:x} {{ color: red; padding: {tick % 17}px; }}"
        out.append(
            _incremental({"source": 8, "id": page.styles[0], "adds": [{"rule": rule, "index": 0}]}, ts + 6)
        )
    return out


def recorded_stream(minutes: float, seed: int = 7) -> list[bytes]:
    """Beacons (JSON arrays of events, as stored) of a dashboard session `minutes` long."""
    rng = random.Random(seed)
    page = Page(rng)
    start = 1_700_000_000_000
    beacons: list[bytes] = []
    batch: list[Event] = _checkout(page, start)
    ticks = int(minutes * 60_000 / TICK_MS)
    for tick in range(1, ticks + 1):
        ts = start + tick * TICK_MS
        if tick % (300_000 // TICK_MS) == 0:
            batch.extend(_checkout(page, ts))
        batch.extend(_tick(page, rng, ts, tick))
        if tick % (BEACON_MS // TICK_MS) == 0:
            beacons.append(orjson.dumps(batch))
            batch = []
    if batch:
        beacons.append(orjson.dumps(batch))
    return beacons


def _best(runs: int, fn: Any) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main(minutes: float = 10.0, runs: int = 3) -> dict[str, float]:
    """Measure and print; returns the figures."""
    beacons = recorded_stream(minutes)
    size_mb = sum(len(b) for b in beacons) / 1e6
    parsed = [orjson.loads(b) for b in beacons]
    events = sum(len(p) for p in parsed)

    def parse_only() -> None:
        for b in beacons:
            orjson.loads(b)

    def apply_only() -> None:
        mirror = DomMirror()
        for batch in parsed:
            mirror.apply_all(batch)
        if mirror.problem_count:
            raise SystemExit(f"the benchmark stream has problems: {mirror.problems[:3]}")

    def parse_and_apply() -> None:
        mirror = DomMirror()
        for b in beacons:
            mirror.apply_all(orjson.loads(b))

    mirror = DomMirror()
    for batch in parsed:
        mirror.apply_all(batch)
    t_parse = _best(runs, parse_only)
    t_apply = _best(runs, apply_only)
    t_both = _best(runs, parse_and_apply)
    t_state = _best(runs, lambda: mirror.state_events())
    figures = {
        "stream_mb": size_mb,
        "events": events,
        "parse_mb_s": size_mb / t_parse,
        "mirror_apply_mb_s": size_mb / t_apply,
        "mirror_parse_and_apply_mb_s": size_mb / t_both,
        "ratio_apply_to_parse": t_parse / t_apply,
        "ratio_parse_and_apply_to_parse": t_parse / t_both,
        "state_events_ms": t_state * 1000,
    }
    cpu = platform.processor() or platform.machine()
    apply_mb_s, both_mb_s = figures["mirror_apply_mb_s"], figures["mirror_parse_and_apply_mb_s"]
    apply_ratio, both_ratio = figures["ratio_apply_to_parse"], figures["ratio_parse_and_apply_to_parse"]
    print(
        f"machine: {platform.platform()} · {cpu} · {os.cpu_count()} CPUs · Python {platform.python_version()}"
    )
    print(
        f"stream: {minutes:g} min dashboard, {len(beacons)} beacons, {events} events, {size_mb:.1f} MB JSON"
    )
    print(f"baseline  orjson.loads only   {figures['parse_mb_s']:8.1f} MB/s")
    print(f"mirror    apply (pre-parsed)  {apply_mb_s:8.1f} MB/s   {apply_ratio:.3f}x of parse")
    print(f"mirror    parse + apply       {both_mb_s:8.1f} MB/s   {both_ratio:.3f}x of parse")
    print(f"state_events at the end ({len(mirror.nodes)} nodes): {figures['state_events_ms']:.1f} ms")
    return figures


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0)
