"""The time of this attempt: a beacon's `sent_at` stamped by the client each time it sends the beacon.

A beacon's body is written once, when it is cut, and resent unchanged by retries and offline queues (a
phone's folder of beacons, a web page's stash for the next page load). The body's `sent_at` is therefore
when the beacon was cut, which can be hours before it reaches the server; measuring the client's clock
from it would take a queue for a wrong clock and move the whole recording. So clients stamp each attempt
in the URL (`sent_at=MS`, which a CORS-simple web request can carry) or the `X-Reel-Sent-At` header, and
ingest measures the clock from that stamp when present (reel/ingest/clock_skew.py).
"""

from __future__ import annotations

from reel.errors import InvalidField
from reel.ingest.envelope import MAX_TIMESTAMP

HEADER = "x-reel-sent-at"
PARAMETER = "sent_at"


def attempt_sent_at(raw: str | None) -> int | None:
    """The client's clock when it sent this request (ms since the epoch), from the request's `sent_at`
    parameter or header (`reel.ingest.beacon_request`), or None if not stamped."""
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 16 or not 0 < int(raw) < MAX_TIMESTAMP:
        raise InvalidField(
            "sent_at (query or X-Reel-Sent-At) must be an integer number of milliseconds", field="sent_at"
        )
    return int(raw)
