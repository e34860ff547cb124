"""The snippet a page adds to be recorded: a small queue stub, then Reel's script tag (brief §4).

The script tag is `async`, so `window.reel` does not exist until it has loaded. The stub installs a
`window.reel` whose methods queue their calls in `reel.q`; the recorder replays that queue when it starts
(web/src/recorder/api.ts, `replayQueued`), so `reel.consent(true)`, `reel.identify(...)` or
`reel.event(...)` written right after the tag are kept, not lost. This module is the one place the
snippet's text is built: the middleware, `reel apps create`, the Applications page and the demo use it.
"""

from __future__ import annotations

import json
from html import escape
from typing import Literal

ConsentMode = Literal["page", "granted"]
"""`page`: the page calls `reel.consent(...)` itself (its own banner). `granted`: the snippet calls
`reel.consent(true)`, for apps whose users already consented through the app's own means."""

CONSENT_MODES: tuple[ConsentMode, ...] = ("page", "granted")

# Methods the stub queues; `status` is left out on purpose: the recorder takes a `window.reel` with a
# `status` function for a running recorder and would not start.
QUEUED_METHODS = ("consent", "identify", "event", "flush", "stop")

# Leaves a running recorder (one with `status`) alone; otherwise adds any method a stub lacks.
STUB = (
    "window.reel=window.reel||{q:[]};"
    "(function(r){if(r.status)return;r.q=r.q||[];"
    + json.dumps(list(QUEUED_METHODS), separators=(",", ":"))
    + ".forEach(function(m){r[m]=r[m]||function(){r.q.push([m].concat([].slice.call(arguments)))}})"
    "})(window.reel);"
)

GRANT = "window.reel.consent(true);"


def script_url(reel_url: str) -> str:
    """Where the recorder script is served, for Reel at `reel_url` (a trailing slash is ignored)."""
    return f"{reel_url.rstrip('/')}/capture/reel.js"


def snippet_html(
    reel_url: str, app_key: str, *, consent: ConsentMode = "page", nonce: str | None = None
) -> str:
    """The snippet for one application: the queue stub (with `reel.consent(true)` when `consent` is
    `granted`) and the script tag, each carrying `nonce` when the page's Content-Security-Policy uses one."""
    if consent not in CONSENT_MODES:
        raise ValueError(f"consent must be one of {', '.join(CONSENT_MODES)}, not {consent!r}")
    if not app_key:
        raise ValueError("an app key is needed (reel apps create prints it)")
    nonce_attr = f' nonce="{escape(nonce, quote=True)}"' if nonce else ""
    stub = STUB + (GRANT if consent == "granted" else "")
    src = escape(script_url(reel_url), quote=True)
    key = escape(app_key, quote=True)
    return (
        f"<script{nonce_attr}>{stub}</script>"
        f'<script{nonce_attr} src="{src}" data-app-key="{key}" async></script>'
    )
