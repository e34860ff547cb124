"""The DOM mirror: applies rrweb events in pure Python and emits the DOM state at any time T.

    mirror = DomMirror()
    mirror.apply_all(events)          # never raises; what it cannot apply is in mirror.problems
    mirror.snapshot()                 # data of an rrweb full snapshot, node ids kept (first frame)
    state_at(events, t)               # start playback at t, then play events[prefix_end(events, t):]

How the state at T is handed over (state_at / DomMirror.state_events): the DOM tree goes in a full
snapshot, and the state a browser keeps beside the tree goes as incremental events at T, each in the
form rrweb's recorder sends it:

- input values and checkedness: Input events, not value/checked attributes, so a page that later sets
  the value attribute does not overwrite typed text (a typed field is "dirty" in a browser; an
  attribute in a rebuilt snapshot is not) and a <select> gets its value, which an attribute cannot set;
- scroll offsets: the window's in initialOffset, elements' (also inside iframes) as Scroll events,
  which the replayer applies everywhere (rr_scroll* attributes only work in the main document);
- sheets edited through CSSOM: one StyleSheetRule event per sheet that inserts the current rules and
  deletes the ones the element's text still yields, so the text stays as the DOM has it and a later
  text change resets the sheet exactly as in the browser;
- constructed (adopted) sheets, fonts, iframe documents: AdoptedStyleSheet, Font and attach mutations,
  the only forms a snapshot can carry them in.

Because the mirror reads these events back into the same state, `state_at(T)` followed by the events
after T ends in the same state as the whole stream (tests/property). Media state (rr_media*) stays in
attributes, as rrweb serializes it, with the playing position advanced to T. `snapshot()` (fold=True)
instead writes input values, scroll offsets and edited sheets into attributes the way rrweb's
serializer does for a fresh snapshot: a static picture, e.g. for a server-rendered first frame.
"""

from reel.dom.mirror.model import MAX_PROBLEMS, Problem
from reel.dom.mirror.snapshot import FullSnapshotData, Offset, Serialized
from reel.dom.mirror.state import DomMirror, prefix_end, state_at

__all__ = [
    "MAX_PROBLEMS",
    "DomMirror",
    "FullSnapshotData",
    "Offset",
    "Problem",
    "Serialized",
    "prefix_end",
    "state_at",
]
