"""Fuzz targets for what untrusted recorders control: the beacon decoder and the DOM mirror.

    python tests/fuzz/fuzz_ingest.py [--target decode|mirror|all] [--seconds 60]
    python tests/fuzz/fuzz_ingest.py --atheris --target decode -- -max_total_time=600   (if installed)

Without atheris (not a dependency of Reel) the targets run under Hypothesis for the given time, fed
both raw bytes and structured input (valid beacons and rrweb streams with values replaced by
arbitrary JSON). A target fails when:

- decode: anything but a `ReelError` with a 4xx status escapes `CappedDecoder` + `parse_web_beacon`,
  or the decoder returns more than its cap;
- mirror: `DomMirror.apply` raises, or reports an internal error (a bug it caught) for any input.

tests/fuzz/test_fuzz_smoke.py runs both briefly in the test suite so the targets keep working.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
for extra in (HERE.parent, HERE.parent / "property"):  # run as a script: find the shared strategies
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from reel.dom.mirror import DomMirror  # noqa: E402
from reel.errors import ReelError  # noqa: E402
from reel.ingest.decode import CappedDecoder  # noqa: E402
from reel.ingest.envelope import parse_web_beacon  # noqa: E402
from strategies import corrupted_beacons, corrupted_events, json_values, rrweb_streams  # noqa: E402

MAX_OUT = 256 * 1024
_ENCODINGS = ("identity", "gzip")


def fuzz_decode(data: bytes) -> None:
    """First byte: encoding and chunk size; the rest: the body, fed in chunks like a stream."""
    if not data:
        return
    encoding = _ENCODINGS[data[0] & 1]
    chunk = 1 + (data[0] >> 1) * 37
    body = data[1:]
    try:
        decoder = CappedDecoder(encoding, max_out=MAX_OUT)
        for start in range(0, len(body), chunk):
            decoder.feed(body[start : start + chunk])
        decoded = decoder.finish()
        if len(decoded) > MAX_OUT:
            raise AssertionError(f"decoder returned {len(decoded)} bytes past its cap")
        parse_web_beacon(decoded, max_events=1000)
    except ReelError as exc:
        if not 400 <= exc.status < 500:
            raise AssertionError(f"{type(exc).__name__} with status {exc.status}") from exc


def fuzz_mirror(data: bytes) -> None:
    """The bytes as JSON events (a list is a stream, anything else one event) applied to a mirror."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return
    check_mirror(doc if isinstance(doc, list) else [doc])


def check_mirror(events: list[Any]) -> None:
    """Apply `events`; the mirror must neither raise nor catch a bug of its own."""
    mirror = DomMirror()
    for event in events:
        mirror.apply(event)
    mirror.snapshot()
    internal = [p.reason for p in mirror.problems if p.reason.startswith("internal error")]
    if internal:
        raise AssertionError(f"the mirror hit a bug: {internal[0]}")


TARGETS: dict[str, Callable[[bytes], None]] = {"decode": fuzz_decode, "mirror": fuzz_mirror}

_FUZZ_SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _decode_inputs() -> st.SearchStrategy[bytes]:
    beacons = st.one_of(corrupted_beacons(), json_values(max_leaves=30)).map(orjson.dumps)
    return st.one_of(
        st.binary(max_size=4096),
        st.tuples(st.integers(0, 255), beacons).map(lambda t: bytes([t[0] & 0xFE]) + t[1]),
    )


def _mirror_inputs() -> st.SearchStrategy[list[Any]]:
    return st.one_of(
        corrupted_events(),
        rrweb_streams(max_events=30),
        st.lists(json_values(max_leaves=12), max_size=10),
    )


def hypothesis_round(target: str, examples: int) -> None:
    """One round of `examples` Hypothesis examples against `target` (raises on a failure)."""
    tuned = settings(_FUZZ_SETTINGS, max_examples=examples)
    if target == "decode":

        @tuned
        @given(data=_decode_inputs())
        def run_decode(data: bytes) -> None:
            fuzz_decode(data)

        run_decode()
    else:

        @tuned
        @given(events=_mirror_inputs(), raw=st.binary(max_size=512))
        def run_mirror(events: list[Any], raw: bytes) -> None:
            check_mirror(events)
            fuzz_mirror(raw)

        run_mirror()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="Hypothesis mode: how long to run")
    parser.add_argument("--examples", type=int, default=200, help="Hypothesis mode: examples per round")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided, with atheris (one target)")
    args, rest = parser.parse_known_args(argv)
    targets = list(TARGETS) if args.target == "all" else [args.target]
    if args.atheris:
        import atheris  # type: ignore[import-not-found]  # optional, never a dependency

        if len(targets) != 1:
            parser.error("--atheris fuzzes one --target at a time")
        atheris.Setup([sys.argv[0], *rest], TARGETS[targets[0]])
        atheris.Fuzz()
        return 0
    deadline = time.monotonic() + args.seconds
    rounds = 0
    while time.monotonic() < deadline:
        for target in targets:
            hypothesis_round(target, args.examples)
        rounds += 1
    print(f"fuzzed {', '.join(targets)}: {rounds} rounds of {args.examples} examples each, no failure")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
