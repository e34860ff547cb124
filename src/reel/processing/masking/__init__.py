"""Masking rules and replay-time masking (docs/contracts/masking-rules.md): pure, no I/O."""

from reel.processing.masking.detectors import DETECTOR_NAMES, mask_detected
from reel.processing.masking.labels import mask_action
from reel.processing.masking.replay import ReplayMasker, mask_events
from reel.processing.masking.rules import (
    DEFAULT_RULES,
    AttributeRule,
    Consent,
    DetectorRule,
    RuleSet,
    SelectorRule,
    UrlRule,
    parse_rules,
    rules_document,
)
from reel.processing.masking.selectors import SelectorError, matches, parse_selector
from reel.processing.masking.text import mask_text
from reel.processing.masking.urls import mask_url

__all__ = [
    "DEFAULT_RULES",
    "DETECTOR_NAMES",
    "AttributeRule",
    "Consent",
    "DetectorRule",
    "ReplayMasker",
    "RuleSet",
    "SelectorError",
    "SelectorRule",
    "UrlRule",
    "mask_action",
    "mask_detected",
    "mask_events",
    "mask_text",
    "mask_url",
    "matches",
    "parse_rules",
    "parse_selector",
    "rules_document",
]
