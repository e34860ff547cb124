"""The rules document: parsed into frozen rule sets, refused with the field named, written back the same."""

from __future__ import annotations

from typing import Any

import pytest

from reel.domain.rules import (
    DEFAULT_RULES,
    AttributeRule,
    Consent,
    DetectorRule,
    SelectorRule,
    UrlRule,
    parse_rules,
    rules_document,
)
from reel.errors import InvalidField

EXAMPLE: dict[str, Any] = {
    "version": 4,
    "preset": "mask_all",
    "consent": {"required": True, "honor_gpc": True},
    "capture": {"console": ["error", "warn"], "network": True, "slow_ms": 3000},
    "rules": [
        {"type": "unmask", "selector": ".product-title, nav"},
        {"type": "mask", "selector": "[data-private]"},
        {"type": "block", "selector": "#payment-widget"},
        {"type": "attribute", "names": ["data-user", "data-*"]},
        {"type": "url", "params": ["token"], "path_segments": "^[0-9a-f]{24,}$"},
        {"type": "detector", "names": ["email", "card", "phone", "iban"]},
    ],
}


def test_the_contract_example_parses_into_frozen_rules() -> None:
    rules = parse_rules(EXAMPLE, version=4)
    assert rules.version == 4 and rules.preset == "mask_all" and rules.consent == Consent(True, True)
    kinds = [type(r) for r in rules.rules]
    assert kinds == [SelectorRule, SelectorRule, SelectorRule, AttributeRule, UrlRule, DetectorRule]
    assert [s.compounds[-1].tag for s in rules.selectors("unmask")] == [None, "nav"]
    assert rules.attribute_names == (frozenset({"data-user"}), ("data-",))
    assert rules.urls.params == frozenset({"token"})
    assert rules.urls.segments is not None and rules.urls.segments.search("5f2b9c0e1d3a4b5c6d7e8f90")
    with pytest.raises(AttributeError):
        rules.preset = "allow_list"  # type: ignore[misc]


def test_the_document_round_trips() -> None:
    rules = parse_rules(EXAMPLE, version=4)
    assert rules_document(rules) == EXAMPLE
    assert parse_rules(rules_document(rules), version=4) == rules


def test_the_version_is_the_stores_not_the_documents() -> None:
    assert parse_rules({"version": 99}).version == 0
    assert parse_rules({"version": 99}, version=3).version == 3


def test_version_0_is_mask_all_with_every_detector_and_all_query_values() -> None:
    assert parse_rules({}) == DEFAULT_RULES
    assert DEFAULT_RULES.preset == "mask_all" and DEFAULT_RULES.consent == Consent(True, True)
    assert DEFAULT_RULES.detectors == ("email", "card", "phone", "iban")
    assert DEFAULT_RULES.urls.params is None and DEFAULT_RULES.urls.segments is None


def test_detector_rules_choose_detectors_and_may_turn_them_all_off() -> None:
    assert parse_rules({"rules": [{"type": "detector", "names": ["iban", "email"]}]}).detectors == (
        "email",
        "iban",
    )
    assert parse_rules({"rules": [{"type": "detector", "names": []}]}).detectors == ()


def test_url_rules_combine_and_star_means_every_parameter() -> None:
    rules = parse_rules(
        {
            "rules": [
                {"type": "url", "params": ["a"]},
                {"type": "url", "params": ["b"], "path_segments": "^\\d+$"},
            ]
        }
    )
    assert rules.urls.params == frozenset({"a", "b"})
    assert parse_rules({"rules": [{"type": "url", "params": ["*", "a"]}]}).urls.params is None
    only_paths = parse_rules({"rules": [{"type": "url", "path_segments": "x"}]})
    assert only_paths.urls.params == frozenset()  # a url rule replaces the default of every value


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ([], None),
        ({"preset": "mask_some"}, "preset"),
        ({"colour": "red"}, "colour"),
        ({"consent": {"required": "yes"}}, "consent.required"),
        ({"consent": {"maybe": True}}, "consent.maybe"),
        ({"consent": []}, "consent"),
        ({"rules": {}}, "rules"),
        ({"rules": [1]}, "rules[0]"),
        ({"rules": [{"type": "hide", "selector": "p"}]}, "rules[0].type"),
        ({"rules": [{"type": "mask"}]}, "rules[0].selector"),
        ({"rules": [{"type": "mask", "selector": "p", "why": "x"}]}, "rules[0].why"),
        (
            {"rules": [{"type": "mask", "selector": "p"}, {"type": "mask", "selector": "p:hover"}]},
            "rules[1].selector",
        ),
        ({"rules": [{"type": "unmask", "selector": "a ~ b"}]}, "rules[0].selector"),
        ({"rules": [{"type": "block", "selector": ""}]}, "rules[0].selector"),
        ({"rules": [{"type": "attribute", "names": []}]}, "rules[0].names"),
        ({"rules": [{"type": "attribute", "names": ["*"]}]}, "rules[0].names[0]"),
        ({"rules": [{"type": "attribute", "names": ["ok", "bad name"]}]}, "rules[0].names[1]"),
        ({"rules": [{"type": "detector", "names": ["ssn"]}]}, "rules[0].names[0]"),
        ({"rules": [{"type": "url"}]}, "rules[0]"),
        ({"rules": [{"type": "url", "params": "token"}]}, "rules[0].params"),
        ({"rules": [{"type": "url", "params": [""]}]}, "rules[0].params[0]"),
        ({"rules": [{"type": "url", "path_segments": "("}]}, "rules[0].path_segments"),
        ({"rules": [{"type": "url", "path_segments": "(?P<id>\\d+)"}]}, "rules[0].path_segments"),
        ({"rules": [{"type": "url", "path_segments": "(?i)abc"}]}, "rules[0].path_segments"),
        ({"rules": [{"type": "url", "path_segments": "a++"}]}, "rules[0].path_segments"),
    ],
)
def test_invalid_documents_are_refused_naming_the_field(doc: Any, field: str | None) -> None:
    with pytest.raises(InvalidField) as refused:
        parse_rules(doc)
    assert refused.value.field == field
    assert refused.value.status == 400


@pytest.mark.parametrize(
    "selector",
    [
        "[title=Home]",  # the default list: masked values would not match at replay
        "[data-section^=hero]",
        "a[href$='.pdf']",  # URL attributes are rewritten by the URL rules
        "[style*=red]",
        "img[src]",  # images lose their src under mask_all
        "[srcset]",
        "[x-user=1]",  # named by this document's attribute rule below
    ],
)
def test_selectors_cannot_test_what_masking_rewrites(selector: str) -> None:
    doc = {"rules": [{"type": "attribute", "names": ["x-*"]}, {"type": "unmask", "selector": selector}]}
    with pytest.raises(InvalidField) as refused:
        parse_rules(doc)
    assert refused.value.field == "rules[1].selector"


def test_selectors_may_test_for_presence_and_values_masking_keeps() -> None:
    doc = {
        "rules": [
            {"type": "mask", "selector": "[data-private], [title], [aria-label]"},
            {"type": "unmask", "selector": "[role=navigation] a, input[type=search], [name^=q], #x.y"},
        ]
    }
    assert len(parse_rules(doc).rules) == 2
