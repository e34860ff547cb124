"""The data of a DOM mirror: nodes, the page's view, style sheets and fonts, and the problems met.

Kept apart from `DomMirror` (state.py), which applies events to it, so that the modules handling each kind
of event depend on this data, not on the mirror that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass

from reel.dom.mirror.nodes import Node
from reel.dom.mirror.sheets import Sheet

MAX_PROBLEMS = 1000
"""Problems kept in full per mirror; beyond that only `problem_count` grows (untrusted input)."""


@dataclass(frozen=True)
class Problem:
    """Something in the stream the mirror could not apply as sent."""

    index: int
    """Position of the event among those applied to this mirror, from 0."""
    timestamp: float | None
    reason: str


class MirrorData:
    """Everything a mirror knows about the recorded page at its latest event."""

    def __init__(self) -> None:
        self.nodes: dict[int, Node] = {}
        self.root: Node | None = None
        self.href = ""
        self.width: float = 0
        self.height: float = 0
        self.has_meta = False
        """Whether a Meta event was applied (href, width, height are only defaults until then)."""
        self.styles: dict[int, Sheet] = {}
        """Constructed style sheets by rrweb styleId."""
        self.adopted: dict[int, list[int]] = {}
        """Adopted style sheets: host node id (document or shadow host) to styleIds, never empty."""
        self.fonts: dict[tuple[str, str], dict[str, object]] = {}
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.canvas_reported = False
        self.applied = 0
        """How many events were applied."""
        self.timestamp: float | None = None
        """The timestamp of the latest event that had one."""

    def report(self, reason: str) -> None:
        """Record a problem with the event being applied."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.applied, self.timestamp, reason))
