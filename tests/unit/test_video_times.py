"""Which moment each frame of a web session's video shows, idle skipped or not."""

from __future__ import annotations

from reel.replay.video_times import (
    IDLE_THRESHOLD_MS,
    KEPT_MS,
    Stretch,
    frame_moments,
    inactive_stretches,
    interaction_times,
)

T0 = 1_764_240_000_000


def test_every_frame_of_the_session_without_skipping() -> None:
    moments = frame_moments(T0, T0 + 2_000, 4)
    assert moments == [T0 + ms for ms in range(0, 2_001, 250)]


def test_interactions_are_a_persons_doing_and_page_loads_not_the_pages_own_changes() -> None:
    events = [
        {"type": 4, "timestamp": T0, "data": {"href": "x"}},
        {"type": 3, "timestamp": T0 + 5, "data": {"source": 0}},  # a mutation: the page's own doing
        {"type": 3, "timestamp": T0 + 9, "data": {"source": 2}},  # a click
        {"type": 5, "timestamp": T0 + 12, "data": {"tag": "reel.event"}},
        {"type": 3, "timestamp": T0 + 3, "data": {"source": 3}},  # a scroll, out of order
    ]
    assert interaction_times(events) == [T0, T0 + 3, T0 + 9]


def test_stretches_longer_than_the_threshold_between_interactions_and_the_edges() -> None:
    interactions = [T0 + 1_000, T0 + 2_000, T0 + 2_000 + IDLE_THRESHOLD_MS + 1, T0 + 40_000]
    stretches = inactive_stretches(interactions, T0, T0 + 60_000)
    assert stretches == [
        Stretch(T0 + 2_000, T0 + 2_000 + IDLE_THRESHOLD_MS + 1),
        Stretch(T0 + 2_000 + IDLE_THRESHOLD_MS + 1, T0 + 40_000),
        Stretch(T0 + 40_000, T0 + 60_000),
    ]
    assert inactive_stretches([T0 + 5_000], T0, T0 + 10_000) == []


def test_skipping_cuts_each_stretch_to_a_short_pause() -> None:
    stretch = Stretch(T0 + 2_000, T0 + 42_000)
    moments = frame_moments(T0, T0 + 50_000, 2, [stretch])
    # 50 s less the 39 s cut: 11 s of video, 2 frames a second, plus the first frame.
    assert len(moments) == 23
    assert moments[:7] == [T0 + ms for ms in range(0, 3_001, 500)]  # up to 1 s into the stretch
    assert moments[6] == stretch.start + KEPT_MS
    assert moments[7] == stretch.end + 500
    assert moments[-1] == T0 + 50_000
    assert moments == sorted(moments)
    assert not any(stretch.start + KEPT_MS < m < stretch.end for m in moments)
