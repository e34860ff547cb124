"""JS heap of a page and its dedicated workers, read over the Chrome DevTools Protocol."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Heap:
    """Bytes of JS heap in use: the page's main thread, and its workers together."""

    page_used: int
    page_after_gc: int
    workers_used: int
    workers_after_gc: int
    workers: int

    @property
    def used_mb(self) -> float:
        """In use when measured, garbage included."""
        return (self.page_used + self.workers_used) / 1e6

    @property
    def retained_mb(self) -> float:
        """Still in use after a forced collection everywhere: what the page holds on to."""
        return (self.page_after_gc + self.workers_after_gc) / 1e6


def measure_heap(context: Any, page: Any) -> Heap:
    """The page's heap (before and after a forced collection) plus every dedicated worker's, in bytes.

    Workers are reached by auto-attaching to the page's targets without flattening: their messages travel
    inside Target.sendMessageToTarget, so this CDP session does not disturb Playwright's own.
    """
    cdp = context.new_cdp_session(page)
    try:
        used = int(cdp.send("Runtime.getHeapUsage")["usedSize"])
        cdp.send("HeapProfiler.collectGarbage")
        after_gc = int(cdp.send("Runtime.getHeapUsage")["usedSize"])
        attached: list[str] = []
        replies: dict[tuple[str, int], int] = {}
        cdp.on(
            "Target.attachedToTarget",
            lambda e: attached.append(e["sessionId"]) if e["targetInfo"]["type"] == "worker" else None,
        )

        def on_message(event: dict[str, Any]) -> None:
            message = json.loads(event["message"])
            if message.get("id") in (1, 3) and "result" in message:
                replies[(event["sessionId"], message["id"])] = int(message["result"]["usedSize"])

        cdp.on("Target.receivedMessageFromTarget", on_message)
        cdp.send(
            "Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": False}
        )
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not attached:
            page.wait_for_timeout(50)
        # Usage, a collection, usage again: a worker answers its messages in order.
        methods = ("Runtime.getHeapUsage", "HeapProfiler.collectGarbage", "Runtime.getHeapUsage")
        for session in attached:
            for i, method in enumerate(methods, start=1):
                query = json.dumps({"id": i, "method": method})
                cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": query})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(replies) < 2 * len(attached):
            page.wait_for_timeout(50)
        before = sum(v for (_s, i), v in replies.items() if i == 1)
        after = sum(v for (_s, i), v in replies.items() if i == 3)
        return Heap(used, after_gc, before, after, len(attached))
    finally:
        cdp.detach()
