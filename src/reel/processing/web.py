"""Processing's web platform: the DOM mirror and rrweb action extraction (pure)."""

from __future__ import annotations

from typing import Any

from reel.dom.mirror import DomMirror
from reel.dom.mirror.snapshot import MAX_TREE_DEPTH
from reel.processing.actions import Action, ActionExtractor
from reel.processing.idle import activity
from reel.processing.platform import Event


class WebPlatform:
    """A web recording's state: the page rebuilt by the mirror; actions read from it."""

    name = "web"
    finds_idle = True

    def __init__(self) -> None:
        self.mirror = DomMirror()
        self.extractor = ActionExtractor()
        self._problems_taken = 0

    def observe(self, event: Event) -> None:
        self.mirror.apply(event)

    def resume(self) -> None:
        self.extractor = ActionExtractor(self.mirror.href if self.mirror.has_meta else "")
        self._problems_taken = self.mirror.problem_count  # met while warming up: counted when first read

    def take_problems(self) -> tuple[int, str]:
        taken, self._problems_taken = self._problems_taken, self.mirror.problem_count
        new = self.mirror.problem_count - taken
        kept = self.mirror.problems
        first = kept[taken].reason if new and taken < len(kept) else ""
        return new, first

    def extract(self, event: Event) -> list[Action]:
        self.extractor.feed(event, self.mirror)
        return self.extractor.drain()

    def activity(self, event: Event) -> tuple[int, int] | None:
        return activity(event)

    def finish(self) -> list[Action]:
        return self.extractor.finish()

    def state_events(self, at: int) -> list[dict[str, Any]]:
        if self.mirror.root is None and not self.mirror.has_meta:
            return []
        # Stored (keyframes, checkpoints), so cut where it could not be read back: a DOM built deeper
        # across beacons than any one beacon may carry.
        return [dict(e) for e in self.mirror.state_events(at, MAX_TREE_DEPTH)]

    @property
    def location(self) -> str:
        return self.extractor.url
