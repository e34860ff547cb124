"""Properties of the detectors on the inputs that made them slow: long repetitions of short units made of
digits, separators, `@`, dots, letters and stars. Masking is idempotent (what it leaves, no detector
finds), and its cost grows with the length, not with its square."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reel.domain.rules import DETECTOR_NAMES
from reel.replay.masking import mask_detected
from reel.replay.masking.detectors import MAX_SCANNED

LONG = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

units = st.text(alphabet="0123456789 .-()+@*_aZxDE", min_size=1, max_size=8)
names = st.sets(st.sampled_from(DETECTOR_NAMES), min_size=1).map(lambda s: tuple(sorted(s)))


@LONG
@given(unit=units, prefix=st.text(alphabet="0123456789 .-@aD*", max_size=30), names=names)
def test_masking_a_long_repetition_is_idempotent(unit: str, prefix: str, names: tuple[str, ...]) -> None:
    text = prefix + unit * (4000 // len(unit))
    once = mask_detected(text, names)
    assert mask_detected(once, names) == once


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=units, names=names)
def test_the_cost_grows_linearly_with_the_length(unit: str, names: tuple[str, ...]) -> None:
    """Ten times the text costs at most about ten times as much (a generous 30x, for a shared machine's
    noise; the quadratic detectors this replaces cost 100x, and minutes at these sizes)."""
    short = unit * (MAX_SCANNED // 10 // len(unit))
    long = unit * (MAX_SCANNED // len(unit))

    def cost(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            mask_detected(text, names)
            best = min(best, time.process_time() - started)
        return best

    short_cost, long_cost = cost(short), cost(long)
    assert long_cost <= max(30 * short_cost, 0.05), (unit, names, short_cost, long_cost)
