"""Where processing cuts a recording's stream into segments, each starting with a keyframe (pure).

A seek plays one keyframe and then fast-forwards through the events after it, so the cost of a seek is
bounded by how much a segment holds. A cut costs a keyframe (a full snapshot of the page) in storage, so
segments are as long as the seek budget allows: the bounds below were chosen by measurement on the 8-hour
dashboard workload (bench/seek.py; docs/contracts/storage.md, "Keyframes and segments").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyframePolicy:
    """A new segment starts at the next beacon once the open one holds this much."""

    max_bytes: int = 1 << 20
    """Event JSON since the keyframe (rrweb fast-forwards it in ~20 ms per MiB in Chromium)."""
    max_ms: int = 5 * 60 * 1000
    """Recorded time since the keyframe."""
    max_events: int = 20_000
    """Events since the keyframe; also cuts inside one very large beacon."""


@dataclass
class OpenSegment:
    """The segment processing is filling: where it starts and how much it holds so far."""

    idx: int
    start_ts: int
    from_seq: int
    from_index: int
    events: int = 0
    raw_bytes: int = 0

    def full(self, policy: KeyframePolicy, ts: int) -> bool:
        """True if a segment starting at the next beacon (at `ts`) should replace this one."""
        return self.events > 0 and (
            self.raw_bytes >= policy.max_bytes
            or ts - self.start_ts >= policy.max_ms
            or self.events >= policy.max_events
        )

    def to_json(self) -> dict[str, int]:
        """Plain JSON, for processing's saved state."""
        return {
            "idx": self.idx,
            "start_ts": self.start_ts,
            "from_seq": self.from_seq,
            "from_index": self.from_index,
            "events": self.events,
            "raw_bytes": self.raw_bytes,
        }

    @staticmethod
    def from_json(value: object) -> OpenSegment | None:
        """The segment saved by `to_json`, or None for anything else."""
        if not isinstance(value, dict):
            return None
        try:
            return OpenSegment(
                **{k: int(value[k]) for k in ("idx", "start_ts", "from_seq", "from_index")},
                events=int(value.get("events", 0)),
                raw_bytes=int(value.get("raw_bytes", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return None
