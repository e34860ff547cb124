"""Masking the action list with the current rules: labels come from recorded text, URLs from pages (pure).

An action keeps only its target's tag, id and classes, not where the element stood in the page, so an
`unmask` rule that matched through an ancestor cannot be seen here: under presets that mask text, a label
is shown only when the target itself matches an `unmask` rule (and no `mask` or `block` rule). That
errs on the masked side; the replay itself applies the rules exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reel.replay.masking.policy import BLOCK, TEXT, Policy
from reel.replay.masking.text import mask_message
from reel.replay.masking.urls import mask_url

_ELEMENT_LABELS = frozenset({"click", "dead_click", "rage_click", "input", "select", "submit"})
_TARGET = re.compile(r"([^#.]*)(?:#([^.]*))?((?:\.[^.]*)*)")


class _Target:
    """A stand-in element built from an action's target name (`button#buy.primary`)."""

    kind = 2
    parent = None
    extra = None

    def __init__(self, target: str) -> None:
        m = _TARGET.fullmatch(target)
        tag, element_id, classes = (m.group(1), m.group(2), m.group(3)) if m else ("", None, "")
        self.tag = "" if tag == "node" else tag.lower()
        self.attrs: dict[str, object] = {}
        if element_id:
            self.attrs["id"] = element_id
        if classes:
            self.attrs["class"] = " ".join(c for c in classes.split(".") if c)


def mask_action(action: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    """An action's public JSON (`ts`, `kind`, `url`, `target`, `label`, `data`) with the rules applied."""
    kind = str(action.get("kind", ""))
    label = str(action.get("label", "") or "")
    target = str(action.get("target", "") or "")
    if label:
        if kind == "error":
            label = policy.detect(mask_message(label, bool(policy.document & TEXT)))
        elif kind in _ELEMENT_LABELS:
            own = policy.own(_Target(target)) if policy.has_selectors and target else 0
            label = "" if own & BLOCK else policy.text(label, policy.effects[own])
        elif kind != "identify":  # the identity the application chose to send is the session's user
            label = policy.detect(label)
    data = dict(action.get("data") or {})
    if isinstance(data.get("source"), str):
        data["source"] = mask_url(data["source"], policy.urls)
    url = action.get("url")
    return {
        "ts": action.get("ts"),
        "kind": kind,
        "url": mask_url(url, policy.urls) if isinstance(url, str) else "",
        "target": target,
        "label": label,
        "data": data,
    }
