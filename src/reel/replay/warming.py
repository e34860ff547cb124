"""Compacted segments masked ahead of the first replay, so opening a session reads kept copies instead of
masking on the request path (reel.replay.kept; issue 11, P1 and P5 cold).

Processing calls `keep_compacted` once it compacted some of a recording's segments (the hook keeps
processing below the read side). Segments are compacted in order, so the new ones are the last: they are
masked from the newest back, stopping at the first segment that has a copy already, of any rules version
(after a rule change, older segments are masked again when first read, never all at once here). Every
window of a segment is kept: the whole segment, or the two parts of it a split cuts. Nobody waits for
these copies and they are read far more often than written, so they are compressed harder than a copy
made on a request path.
"""

from __future__ import annotations

from reel.domain.records import Segment, Session
from reel.replay.assemble import kept_window, windows_of
from reel.replay.kept import WARM_LEVEL
from reel.replay.windows import Window
from reel.runtime.context import ReelContext
from reel.storage.keys import masked_segment_prefix


def keep_compacted(ctx: ReelContext, recording_id: str) -> int:
    """Mask and keep the windows of the recording's newly compacted segments under its application's
    current rules; returns how many were masked."""
    app_id = ctx.sessions.recording_app(recording_id)
    if app_id is None:
        return 0
    rules = ctx.rules.current(app_id).rules
    segments = ctx.sessions.segments(recording_id)
    played: dict[str, list[tuple[Session, Window]]] = {}
    done = 0
    for segment in reversed([s for s in segments if s.compacted]):
        folder = segment.blob_key.rpartition("/")[0] + "/"
        if next(iter(ctx.blobs.keys(folder + masked_segment_prefix(segment.idx))), None) is not None:
            break
        for session, window in _windows_playing(ctx, app_id, segment, played):
            if kept_window(ctx, session, window, rules, level=WARM_LEVEL, remember=False) is not None:
                done += 1
    return done


def _windows_playing(
    ctx: ReelContext, app_id: str, segment: Segment, played: dict[str, list[tuple[Session, Window]]]
) -> list[tuple[Session, Window]]:
    """The windows that play `segment`, of every part of the session its first beacon belongs to, and of
    the sessions met before (a split inside the segment gives one window to each side). `played` keeps
    each session's windows by id."""
    session_id = ctx.sessions.beacon_session(segment.recording_id, segment.from_seq)
    session = ctx.sessions.session(session_id) if session_id else None
    if session is None:
        return []
    if session.id not in played:
        for part in ctx.sessions.session_parts(app_id, session.recording_id, session.client_session_id):
            played[part.id] = [(part, w) for w in windows_of(ctx, part)]
        played.setdefault(session.id, [(session, w) for w in windows_of(ctx, session)])
    return [(s, w) for windows in played.values() for s, w in windows if w.n == segment.idx]
