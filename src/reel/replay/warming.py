"""Compacted segments masked ahead of the first replay, so opening a session reads kept copies instead of
masking on the request path (reel.replay.kept; issue 11, P1 and P5 cold).

Processing calls `keep_compacted` once it compacted some of a recording's segments (the hook keeps
processing below the read side). Segments are compacted in order, so the new ones are the last: they are
masked from the newest back, stopping at the first segment that has a copy already, of any rules version
(after a rule change, older segments are masked again when first read, never all at once here).
"""

from __future__ import annotations

from reel.replay.assemble import masked_window, windows_of
from reel.replay.kept import keepable
from reel.replay.reader import late_seqs
from reel.runtime.context import ReelContext
from reel.storage.keys import masked_segment_prefix


def keep_compacted(ctx: ReelContext, recording_id: str) -> int:
    """Mask and keep the recording's newly compacted segments under its application's current rules;
    returns how many were masked."""
    app_id = ctx.sessions.recording_app(recording_id)
    if app_id is None:
        return 0
    rules = ctx.rules.current(app_id).rules
    segments = ctx.sessions.segments(recording_id)
    buffered = ctx.sessions.buffered_seqs(recording_id)
    done = 0
    for segment in reversed([s for s in segments if s.compacted]):
        folder = segment.blob_key.rpartition("/")[0] + "/"
        if next(iter(ctx.blobs.keys(folder + masked_segment_prefix(segment.idx))), None) is not None:
            break
        session_id = ctx.sessions.beacon_session(recording_id, segment.from_seq)
        session = ctx.sessions.session(session_id) if session_id else None
        if session is None:
            continue
        window = next((w for w in windows_of(ctx, session) if w.n == segment.idx), None)
        if window is None or not keepable(window, segment, late_seqs(segment, buffered)):
            continue  # cut by a split: read (and cached) per session when played
        masked_window(ctx, session, window, rules, remember=False)
        done += 1
    return done
