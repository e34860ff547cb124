"""The fuzz targets of tests/fuzz/fuzz_ingest.py stay runnable: a seed corpus and a short Hypothesis run."""

from __future__ import annotations

import gzip

import orjson
import pytest
from fuzz_ingest import fuzz_decode, fuzz_mirror, hypothesis_round, main

from support import T0, make_events

VALID = orjson.dumps(
    {"v": 1, "recording_id": "r", "session_id": "s", "seq": 0, "events": make_events(T0, 3, full=True)}
)
SEEDS = [
    b"\x00" + VALID,  # identity, one byte at a time
    b"\x01" + gzip.compress(VALID),  # gzip
    b"\x41" + gzip.compress(b" " * (8 * 1024 * 1024)),  # a bomb, stopped at the cap
    b"\x01" + gzip.compress(VALID)[:-7],  # truncated gzip
    b"\x00" + b"[" * 5000 + b"]" * 5000,  # nesting past any recursion limit
    b"\x00" + b'{"v":1,"recording_id":"\xed\xa0\x80"}',  # a surrogate encoded as UTF-8
    b"",
]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_decode_target_passes_its_seed_corpus(seed: bytes) -> None:
    fuzz_decode(seed)


@pytest.mark.parametrize(
    "seed", [orjson.dumps(make_events(T0, 5, full=True)), b'{"type":3,"data":{"source":0,"adds":[{}]}}', b"7"]
)
def test_the_mirror_target_passes_its_seed_corpus(seed: bytes) -> None:
    fuzz_mirror(seed)


@pytest.mark.parametrize(("target", "examples"), [("decode", 60), ("mirror", 30)])
def test_a_short_hypothesis_fuzz_run_finds_nothing(target: str, examples: int) -> None:
    hypothesis_round(target, examples)


def test_the_script_runs_for_a_time_budget(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--target", "decode", "--seconds", "0.1", "--examples", "10"]) == 0
    assert "no failure" in capsys.readouterr().out
