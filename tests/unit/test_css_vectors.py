"""Strings in CSS on shared vectors (tests/vectors/css_strings.json): replay's masking and the recorder's
(run by node) mask the same strings the same way, and both are idempotent."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_detector_vectors import run_node

from reel.domain.rules import DEFAULT_RULES
from reel.replay.masking.policy import Policy

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


# One property's value, as a style attribute change (rrweb's diff) or a CSSOM setProperty carries it.
VALUES = [
    ("--name", "'Ada'", "'****'"),
    (" Content ", '"Ada" attr(x)', '"****" attr(x)'),
    ("font-family", '"Open Sans", serif', '"Open Sans", serif'),
    ("", '"Ada"', '"****"'),
    ("--x", 'a; "b" { "c" }', 'a; "****" { "****" }'),
    ("background", 'url("/a.png?u=1") "x"', 'url("/a.png?u=***") "****"'),
]


@pytest.mark.parametrize(("prop", "value", "masked"), VALUES)
def test_one_propertys_value_is_masked_by_that_property(prop: str, value: str, masked: str) -> None:
    assert POLICY.css_value(prop, value, POLICY.document) == masked
    assert [r["masked"] for r in run_node([{"css": value, "prop": prop}])] == [masked]


def test_the_recorder_masks_css_strings_exactly_as_replay() -> None:
    texts = [c[0] for c in CASES] + random_css(2000)
    props = [None] * len(CASES) + [
        random.Random(i).choice([None, None, "--v", "content", "font", ""]) for i in range(2000)
    ]
    cases = [{"css": t} if p is None else {"css": t, "prop": p} for t, p in zip(texts, props, strict=True)]
    results = run_node(cases)
    mismatches = [
        (t, p, r["masked"], POLICY.css(t, POLICY.document, p))
        for t, p, r in zip(texts, props, results, strict=True)
        if r["masked"] != POLICY.css(t, POLICY.document, p)
    ]
    assert mismatches == []
