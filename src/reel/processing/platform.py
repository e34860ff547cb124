"""What a recording processor needs of a platform (web or mobile): its state, its actions (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from reel.processing.actions import Action

Event = Mapping[str, Any]


class Platform(Protocol):
    """The platform-specific half of processing one recording, fed its events in stream order."""

    name: str
    """'web' or 'mobile'."""

    def observe(self, event: Event) -> None:
        """Bring the state up to `event` (the DOM mirror, or the screen's frames and view)."""
        ...

    def resume(self) -> None:
        """After warming up from a keyframe (`observe` only): continue from there, the page or view
        shown then being the current one rather than a new load."""
        ...

    def extract(self, event: Event) -> list[Action]:
        """The actions `event` completes (after `observe` has seen it)."""
        ...

    finds_idle: bool
    """Whether `activity` tells user activity apart (the mobile platform cannot: it finds no idle time)."""

    def activity(self, event: Event) -> tuple[int, int] | None:
        """When the user was active according to `event` (first, last ms), None if they were not."""
        ...

    def finish(self) -> list[Action]:
        """The end of a recorder session: actions still waiting for what comes next."""
        ...

    def state_events(self, at: int) -> list[dict[str, Any]]:
        """Events that rebuild the state at `at`, all stamped `at` ([] before there is any state)."""
        ...

    def take_problems(self) -> tuple[int, str]:
        """Problems met by `observe` since the last call or `resume` (what the state could not take in
        as sent), and the first one's reason ("" if none or unknown)."""
        ...

    @property
    def location(self) -> str:
        """Where the user is: the page URL, or the view's name."""
        ...
