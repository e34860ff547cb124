"""Strings in CSS on shared vectors (tests/vectors/css_strings.json): replay's masking and the recorder's
(run by node) mask the same strings the same way, and both are idempotent."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_detector_vectors import run_node

from reel.processing.masking import DEFAULT_RULES
from reel.processing.masking.policy import Policy

ROOT = Path(__file__).resolve().parents[2]
CASES: list[list[str]] = json.loads((ROOT / "tests" / "vectors" / "css_strings.json").read_text("utf-8"))[
    "cases"
]
POLICY = Policy(DEFAULT_RULES)


def replay_css(css: str) -> str:
    return POLICY.css(css, POLICY.document)


@pytest.mark.parametrize(("css", "masked"), CASES, ids=[c[0][:40] for c in CASES])
def test_replay_masks_css_strings_as_the_contract_says(css: str, masked: str) -> None:
    assert replay_css(css) == masked
    assert replay_css(masked) == masked


def random_css(count: int, seed: int = 8) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        "content:",
        "--v:",
        "font-family:",
        "grid-template-areas:",
        "a:hover",
        "{",
        "}",
        ";",
        " ",
        "'x y'",
        '"Ada"',
        '"',
        "'",
        "\\",
        "/*",
        "*/",
        "url(",
        ")",
        "@import ",
        "[t=",
        "]",
        "\n",
        "quotes:",
        "é",
    ]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))) for _ in range(count)]


def test_the_recorder_masks_css_strings_exactly_as_replay() -> None:
    texts = [c[0] for c in CASES] + random_css(2000)
    results = run_node([{"css": t} for t in texts])
    mismatches = [
        (t, r["masked"], replay_css(t))
        for t, r in zip(texts, results, strict=True)
        if r["masked"] != replay_css(t)
    ]
    assert mismatches == []
