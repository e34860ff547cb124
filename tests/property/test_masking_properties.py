"""Properties of replay-time masking: idempotent, never modifies its input, never lets a canary through,
never raises, whatever the rules."""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reel.domain.rules import parse_rules
from reel.replay.masking import mask_events
from strategies import (
    CANARY,
    CANARY_EMAIL,
    canary_streams,
    corrupted_events,
    masking_rule_documents,
    rrweb_streams,
)

SOME = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SOME
@given(doc=masking_rule_documents(), events=canary_streams())
def test_no_canary_survives_masking(doc: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Canaries placed where every drawn rule set masks them never reach the output."""
    out = orjson.dumps(mask_events(events, parse_rules(doc))).decode()
    assert CANARY not in out
    assert CANARY_EMAIL not in out and "canary.user" not in out


@SOME
@given(doc=masking_rule_documents(), events=canary_streams())
def test_masking_is_idempotent_and_leaves_its_input_alone(
    doc: dict[str, Any], events: list[dict[str, Any]]
) -> None:
    """Masking twice is masking once, and the input events are never modified."""
    rules = parse_rules(doc)
    before = copy.deepcopy(events)
    once = mask_events(events, rules)
    assert events == before
    frozen = copy.deepcopy(once)
    assert mask_events(once, rules) == once
    assert once == frozen


@FEW
@given(doc=masking_rule_documents(), events=rrweb_streams(max_events=25))
def test_mirror_streams_mask_idempotently(doc: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """The DOM mirror's stream strategy (sheets, iframes, media, later snapshots) masks idempotently."""
    rules = parse_rules(doc)
    before = copy.deepcopy(events)
    once = mask_events(events, rules)
    assert events == before
    assert mask_events(once, rules) == once
    orjson.dumps(once)


@FEW
@given(doc=masking_rule_documents(), events=corrupted_events(), cut=st.integers(0, 40))
def test_arbitrary_input_never_raises_and_a_prefix_masks_the_same(
    doc: dict[str, Any], events: list[Any], cut: int
) -> None:
    """Any JSON spliced into a stream is masked or dropped without an exception, and the masking of an
    event depends only on what came before it."""
    rules = parse_rules(doc)
    whole = mask_events(events, rules)
    orjson.dumps(whole)
    prefix = mask_events(events[:cut], rules)
    assert whole[: len(prefix)] == prefix
