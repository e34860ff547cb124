"""Replay's masker on the golden masking vectors (tests/vectors/masking.json): each input stream, masked
with the vector's rules, is exactly the vector's `masked` stream. The recorder is held to the same file in
Chromium (tests/e2e/test_masking_vectors_in_browser.py), so a vector changed for one side fails the other."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from reel.domain.rules import DEFAULT_RULES, RuleSet, parse_rules
from reel.replay.masking import mask_events

ROOT = Path(__file__).resolve().parents[2]
VECTORS_PATH = ROOT / "tests" / "vectors" / "masking.json"
CASES: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))["cases"]


def rules_of(case: dict[str, Any]) -> RuleSet:
    doc = case["rules"]
    return DEFAULT_RULES if doc is None else parse_rules(doc, version=doc.get("version", 1))


def test_the_vectors_cover_every_preset_and_selector_kind() -> None:
    docs = [c["rules"] or {"preset": "mask_all", "rules": []} for c in CASES]
    assert {d["preset"] for d in docs} == {"mask_all", "allow_list", "mask_inputs"}
    kinds = {r["type"] for d in docs for r in d["rules"]}
    assert kinds == {"mask", "unmask", "block", "attribute", "url", "detector"}
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_replay_masks_each_vector_as_the_vector_says(case: dict[str, Any]) -> None:
    events = copy.deepcopy(case["events"])
    masked = mask_events(events, rules_of(case))
    assert masked == case["masked"]
    assert events == case["events"]  # the input is never modified


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_masking_a_vectors_output_again_changes_nothing(case: dict[str, Any]) -> None:
    assert mask_events(case["masked"], rules_of(case)) == case["masked"]
