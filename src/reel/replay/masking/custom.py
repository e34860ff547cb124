"""Replay-time masking of Reel's diagnostic custom events: errors, console messages, requests (pure).

Each payload is rebuilt from the fields docs/contracts/web-beacon.md names, so nothing else reaches the
player. Messages are masked like text (but a leading `SomethingError:`), URLs go through the URL rule,
stack frames keep their function names (the page's code, through the detectors) and line numbers.
"""

from __future__ import annotations

import re
from typing import Any

from reel.replay.masking.policy import TEXT, Policy
from reel.replay.masking.text import mask_message
from reel.replay.masking.urls import mask_url

Payload = dict[str, Any]
_WORD = re.compile(r"[a-z]{1,20}")
_METHOD = re.compile(r"[A-Z]{1,16}")
MAX_FRAMES = 30
MAX_FUNCTION = 200


def message(policy: Policy, text: str) -> str:
    """A console or error message: masked but its error name, or only detectors where text is shown."""
    return policy.detect(mask_message(text, bool(policy.document & TEXT)))


def mask_error(policy: Policy, payload: Payload) -> Payload:
    """A `reel.error` or `reel.console` payload: message, level and kind, source, frames."""
    out: Payload = {k: payload[k] for k in ("line", "column") if _count(payload.get(k))}
    for key in ("kind", "level"):  # kind: "console" in recordings made before `reel.console`
        value = payload.get(key)
        if isinstance(value, str) and _WORD.fullmatch(value):
            out[key] = value
    text, source, stack = payload.get("message"), payload.get("source"), payload.get("stack")
    if isinstance(text, str):
        out["message"] = message(policy, text)
    if isinstance(source, str):
        out["source"] = mask_url(source, policy.urls)
    if isinstance(stack, str) and not policy.document & TEXT:  # older recordings sent the stack's text
        out["stack"] = policy.detect(stack)
    frames = payload.get("frames")
    if isinstance(frames, list):
        out["frames"] = [_frame(policy, f) for f in frames[:MAX_FRAMES] if isinstance(f, dict)]
    return out


def _frame(policy: Policy, frame: Payload) -> Payload:
    out: Payload = {k: frame[k] for k in ("line", "col") if _count(frame.get(k))}
    fn, file = frame.get("fn"), frame.get("file")
    if isinstance(fn, str) and fn:
        out["fn"] = policy.detect(fn[:MAX_FUNCTION])
    if isinstance(file, str) and file:
        out["file"] = mask_url(file, policy.urls)
    return out


def mask_network(policy: Policy, payload: Payload) -> Payload:
    """A `reel.network` payload: method, URL by the URL rule, status, duration, sizes, error kind."""
    method, url = payload.get("method"), payload.get("url")
    out: Payload = {
        "method": method if isinstance(method, str) and _METHOD.fullmatch(method) else "***",
        "url": mask_url(url, policy.urls) if isinstance(url, str) else "",
    }
    for key in ("status", "duration", "req", "res"):
        if _count(payload.get(key)):
            out[key] = payload[key]
    for key in ("error", "via"):
        value = payload.get(key)
        if isinstance(value, str) and _WORD.fullmatch(value):
            out[key] = value
    return out


def _count(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 2**53
