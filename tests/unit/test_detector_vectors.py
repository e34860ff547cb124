"""The detectors on shared vectors (tests/vectors/detectors.json), in Python and in the recorder's
TypeScript (run by node): both mask exactly what the contract says, the same way, in linear time."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from reel.domain.rules import DETECTOR_NAMES
from reel.replay.masking import mask_detected, mask_text

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "detectors.json").read_text(encoding="utf-8"))["cases"]
RUNNER = ROOT / "web" / "scripts" / "detect-vectors.mjs"


def expand(value: str | list[list[Any]]) -> str:
    return value if isinstance(value, str) else "".join(piece * times for piece, times in value)


def expected(case: dict[str, Any]) -> str | None:
    text = expand(case["text"])
    masks = case["masks"]
    if masks is None:
        return None
    if masks == "=":
        return text
    if masks == "*":
        return mask_text(text)
    out, pos = [], 0
    for masked in map(expand, masks):
        at = text.index(masked, pos)
        out += [text[pos:at], mask_text(masked)]
        pos = at + len(masked)
    return "".join(out) + text[pos:]


def names(case: dict[str, Any]) -> tuple[str, ...]:
    return tuple(case.get("names", DETECTOR_NAMES))


def label(case: dict[str, Any]) -> str:
    text = case["text"]
    return text[:40] if isinstance(text, str) else "+".join(f"{p[:12]}x{n}" for p, n in text)


@pytest.mark.parametrize("case", VECTORS, ids=[label(c) for c in VECTORS])
def test_python_masks_each_vector_as_the_contract_says(case: dict[str, Any]) -> None:
    text = expand(case["text"])
    masked = mask_detected(text, names(case))
    want = expected(case)
    if want is not None:
        assert masked == want
    assert mask_detected(masked, names(case)) == masked


def random_texts(count: int, seed: int = 15) -> list[str]:
    """Short texts from the characters detectors care about, to compare both sides beyond the vectors."""
    rng = random.Random(seed)
    alphabet = "0123456789" * 3 + " .-()+@*_" * 2 + "aAbBdDeEgGxzZ.,:/é😀\u00a0"
    pieces = ["4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "a@b.co", "+44 (20) ", "********"]
    out = []
    for _ in range(count):
        parts = [
            rng.choice(pieces) if rng.random() < 0.2 else rng.choice(alphabet)
            for _ in range(rng.randint(0, 60))
        ]
        out.append("".join(parts))
    return out


def run_node(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The recorder's answers ({"masked", "ms"}) to detector cases ({"text", "names"}) or CSS ({"css"})."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is needed to run the recorder's code")
    done = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps({"cases": cases}),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "web",
        timeout=300,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


@cache
def node_results(cases: tuple[tuple[str, tuple[str, ...]], ...]) -> list[dict[str, Any]]:
    return run_node([{"text": t, "names": list(n)} for t, n in cases])


def all_cases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    vectors = [(expand(c["text"]), names(c)) for c in VECTORS]
    randoms = [(t, DETECTOR_NAMES) for t in random_texts(3000)]
    return tuple(vectors + randoms)


def test_the_recorder_masks_every_vector_and_random_text_exactly_as_replay() -> None:
    cases = all_cases()
    results = node_results(cases)
    mismatches = [
        (text[:80], result["masked"][:80], mask_detected(text, names_)[:80])
        for (text, names_), result in zip(cases, results, strict=True)
        if result["masked"] != mask_detected(text, names_)
    ]
    assert mismatches == []
    for case, result in zip(VECTORS, results, strict=False):
        want = expected(case)
        if want is not None:
            assert result["masked"] == want


def test_the_recorder_is_idempotent_too() -> None:
    first = node_results(all_cases())
    again = node_results(tuple((r["masked"], n) for r, (_, n) in zip(first, all_cases(), strict=True)))
    assert [r["masked"] for r in again] == [r["masked"] for r in first]


def test_the_recorder_scans_the_longest_adversarial_texts_in_linear_time() -> None:
    """Each vector, up to 64 Ki characters of the worst patterns, takes milliseconds in node (the
    patterns the recorder used before took seconds on some of them: an @ after 32 Ki of `a.`)."""
    results = node_results(all_cases())
    slowest = max(r["ms"] for r in results)
    assert slowest < 2500, slowest  # the old patterns took 14 s on 32 Ki characters; a loaded machine is slow
