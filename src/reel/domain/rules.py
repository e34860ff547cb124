"""The masking rules document (docs/contracts/masking-rules.md): parsed, validated, frozen (pure).

`parse_rules` turns a JSON document into a `RuleSet` or raises `InvalidField` naming the field
(`rules[2].selector`); `rules_document` is the inverse. `DEFAULT_RULES` is version 0, Reel's built-in
defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from reel.dom.types import URL_ATTRIBUTES
from reel.domain.selectors import Complex, SelectorError, SelectorList, parse_selector
from reel.errors import InvalidField

DETECTOR_NAMES = ("email", "card", "phone", "iban")
"""The detectors a rule may name (docs/contracts/masking-rules.md)."""


@dataclass(frozen=True)
class UrlPolicy:
    """What URL masking does: `params` None masks every query value; `segments` masks path segments."""

    params: frozenset[str] | None = None
    segments: re.Pattern[str] | None = None
    detectors: tuple[str, ...] = ()


Preset = Literal["mask_all", "allow_list", "mask_inputs"]
PRESETS: tuple[Preset, ...] = ("mask_all", "allow_list", "mask_inputs")
SelectorKind = Literal["mask", "unmask", "block"]
SELECTOR_KINDS: tuple[SelectorKind, ...] = ("mask", "unmask", "block")

DEFAULT_ATTRIBUTES = frozenset(
    {"title", "alt", "placeholder", "aria-label", "aria-description", "value", "label", "content"}
)
"""The default attribute list (`content` counts on `meta` only), plus every `data-*`."""
# Attributes masking may remove: selectors may not test them at all. Attributes it may rewrite: selectors
# may test them for presence only. Otherwise a selector would match differently on masked data, and
# masking at replay (or twice) would disagree with masking at capture.
REMOVABLE_ATTRIBUTES = frozenset({"src", "srcset", "srcdoc", "poster", "rr_dataurl"})
REWRITTEN_ATTRIBUTES = DEFAULT_ATTRIBUTES | URL_ATTRIBUTES | {"style", "rr_src"}

MAX_RULES = 200
MAX_NAMES = 100
MAX_NAME_CHARS = 100
MAX_PATTERN_CHARS = 500
_ATTRIBUTE_NAME = re.compile(r"[a-z_][-a-z0-9_:.]*\*?", re.ASCII)
# Regular expression syntax that Python's `re` and JavaScript's RegExp read differently (or one of them
# not at all): named groups, inline flags, comments, atomic groups, possessive quantifiers, \A \Z.
_NOT_PORTABLE = re.compile(r"\(\?(?:P|[aiLmsux-]|#|>)|\\[AZz]|[*+?}]\+")
_RULE_KEYS: dict[str, frozenset[str]] = {
    "mask": frozenset({"type", "selector"}),
    "unmask": frozenset({"type", "selector"}),
    "block": frozenset({"type", "selector"}),
    "attribute": frozenset({"type", "names"}),
    "url": frozenset({"type", "params", "path_segments"}),
    "detector": frozenset({"type", "names"}),
}


@dataclass(frozen=True)
class Consent:
    """Whether recording waits for `reel.consent(true)`, and whether Global Privacy Control refuses."""

    required: bool = True
    honor_gpc: bool = True


CONSOLE_LEVELS = ("log", "info", "warn", "error", "debug")
"""Console levels a document may have the recorder report."""
MAX_SLOW_MS = 600_000


@dataclass(frozen=True)
class Capture:
    """What the recorder captures besides the page: console levels, and failed or slow requests."""

    console: tuple[str, ...] = ("error", "warn")
    network: bool = True
    slow_ms: int = 3000


@dataclass(frozen=True)
class SelectorRule:
    """`mask`, `unmask` or `block` the elements a selector matches, and everything inside them."""

    type: SelectorKind
    selector: SelectorList


@dataclass(frozen=True)
class AttributeRule:
    """Mask these attributes everywhere (a trailing `*` is a prefix)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class UrlRule:
    """Mask these query parameters' values (`*`: all) and path segments matching a pattern."""

    params: tuple[str, ...]
    path_segments: str | None = None


@dataclass(frozen=True)
class DetectorRule:
    """Turn these detectors on (a document without detector rules has all four)."""

    names: tuple[str, ...]


Rule = SelectorRule | AttributeRule | UrlRule | DetectorRule


@dataclass(frozen=True)
class RuleSet:
    """One version of an application's masking rules."""

    version: int = 0
    preset: Preset = "mask_all"
    consent: Consent = field(default_factory=Consent)
    rules: tuple[Rule, ...] = ()
    capture: Capture = field(default_factory=Capture)

    def selectors(self, kind: SelectorKind) -> tuple[Complex, ...]:
        """Every selector of the rules of one kind."""
        return tuple(
            s
            for r in self.rules
            if isinstance(r, SelectorRule) and r.type == kind
            for s in r.selector.selectors
        )

    @cached_property
    def attribute_names(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Names added by attribute rules: exact names, and prefixes (from a trailing `*`)."""
        names = [n for r in self.rules if isinstance(r, AttributeRule) for n in r.names]
        return frozenset(n for n in names if not n.endswith("*")), tuple(
            n[:-1] for n in names if n.endswith("*")
        )

    @cached_property
    def detectors(self) -> tuple[str, ...]:
        """The detectors on, in a fixed order."""
        named = [r for r in self.rules if isinstance(r, DetectorRule)]
        if not named:
            return DETECTOR_NAMES
        on = {n for r in named for n in r.names}
        return tuple(n for n in DETECTOR_NAMES if n in on)

    @cached_property
    def urls(self) -> UrlPolicy:
        """What URL masking does under these rules."""
        url_rules = [r for r in self.rules if isinstance(r, UrlRule)]
        if not url_rules:
            return UrlPolicy(None, None, self.detectors)
        params = {p for r in url_rules for p in r.params}
        patterns = [r.path_segments for r in url_rules if r.path_segments]
        segments = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        return UrlPolicy(None if "*" in params else frozenset(params), segments, self.detectors)


DEFAULT_RULES = RuleSet()
"""Version 0: mask everything, all query values, all four detectors, consent required, GPC honoured."""


def rules_document(rules: RuleSet) -> dict[str, Any]:
    """The JSON document of a rule set (what `GET …/masking-rules` and `/v1/web/config` answer)."""
    out: list[dict[str, Any]] = []
    for rule in rules.rules:
        if isinstance(rule, SelectorRule):
            out.append({"type": rule.type, "selector": rule.selector.source})
        elif isinstance(rule, AttributeRule):
            out.append({"type": "attribute", "names": list(rule.names)})
        elif isinstance(rule, UrlRule):
            url: dict[str, Any] = {"type": "url", "params": list(rule.params)}
            if rule.path_segments is not None:
                url["path_segments"] = rule.path_segments
            out.append(url)
        else:
            out.append({"type": "detector", "names": list(rule.names)})
    consent = {"required": rules.consent.required, "honor_gpc": rules.consent.honor_gpc}
    cap = rules.capture
    capture = {"console": list(cap.console), "network": cap.network, "slow_ms": cap.slow_ms}
    return {
        "version": rules.version,
        "preset": rules.preset,
        "consent": consent,
        "capture": capture,
        "rules": out,
    }


def parse_rules(doc: object, *, version: int = 0) -> RuleSet:
    """A validated rule set from a JSON document; `version` is assigned by the store, not read."""
    if not isinstance(doc, Mapping):
        raise InvalidField("the rules document must be a JSON object")
    for key in doc:
        if key not in ("version", "preset", "consent", "capture", "rules"):
            raise InvalidField(f"unknown field {key!r}", field=str(key))
    preset = doc.get("preset", "mask_all")
    if preset not in PRESETS:
        raise InvalidField(f"preset must be one of {', '.join(PRESETS)}", field="preset")
    raw_rules = doc.get("rules", [])
    if not isinstance(raw_rules, list):
        raise InvalidField("rules must be a list", field="rules")
    if len(raw_rules) > MAX_RULES:
        raise InvalidField(f"at most {MAX_RULES} rules", field="rules")
    # Attribute names first: selectors may not test the values of attributes masking rewrites.
    rewritten = _Rewritten(set(REWRITTEN_ATTRIBUTES), ["data-"])
    for i, raw in enumerate(raw_rules):
        if isinstance(raw, Mapping) and raw.get("type") == "attribute":
            for name in _names(raw, f"rules[{i}]", None):
                if name.endswith("*"):
                    rewritten.prefixes.append(name[:-1])
                else:
                    rewritten.names.add(name)
    rules = tuple(_rule(raw, f"rules[{i}]", rewritten) for i, raw in enumerate(raw_rules))
    consent = _consent(doc.get("consent", {}))
    return RuleSet(version, preset, consent, rules, _capture(doc.get("capture", {})))


def _capture(raw: object) -> Capture:
    if not isinstance(raw, Mapping):
        raise InvalidField("capture must be an object", field="capture")
    for key in raw:
        if key not in ("console", "network", "slow_ms"):
            raise InvalidField(f"unknown field {key!r}", field=f"capture.{key}")
    default = Capture()
    levels = raw.get("console", list(default.console))
    if not isinstance(levels, list) or any(level not in CONSOLE_LEVELS for level in levels):
        raise InvalidField(
            f"capture.console must be a list of {', '.join(CONSOLE_LEVELS)}", field="capture.console"
        )
    network = raw.get("network", default.network)
    if not isinstance(network, bool):
        raise InvalidField("capture.network must be true or false", field="capture.network")
    slow = raw.get("slow_ms", default.slow_ms)
    if isinstance(slow, bool) or not isinstance(slow, int) or not 1 <= slow <= MAX_SLOW_MS:
        raise InvalidField(f"capture.slow_ms must be an integer 1-{MAX_SLOW_MS}", field="capture.slow_ms")
    return Capture(tuple(dict.fromkeys(levels)), network, slow)


def _consent(raw: object) -> Consent:
    if not isinstance(raw, Mapping):
        raise InvalidField("consent must be an object", field="consent")
    for key in raw:
        if key not in ("required", "honor_gpc"):
            raise InvalidField(f"unknown field {key!r}", field=f"consent.{key}")
    values: dict[str, bool] = {}
    for key in ("required", "honor_gpc"):
        value = raw.get(key, True)
        if not isinstance(value, bool):
            raise InvalidField(f"consent.{key} must be true or false", field=f"consent.{key}")
        values[key] = value
    return Consent(values["required"], values["honor_gpc"])


@dataclass
class _Rewritten:
    """Attribute names (and prefixes) whose values masking may rewrite under a document."""

    names: set[str]
    prefixes: list[str]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.names or name.startswith(tuple(self.prefixes)))


def _rule(raw: object, where: str, rewritten: _Rewritten) -> Rule:
    if not isinstance(raw, Mapping):
        raise InvalidField(f"{where} must be an object", field=where)
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in _RULE_KEYS:
        raise InvalidField(f"{where}.type must be one of {', '.join(_RULE_KEYS)}", field=f"{where}.type")
    for key in raw:
        if key not in _RULE_KEYS[kind]:
            raise InvalidField(f"unknown field {key!r} in a {kind} rule", field=f"{where}.{key}")
    if kind == "attribute":
        return AttributeRule(_names(raw, where, None))
    if kind == "detector":
        return DetectorRule(_names(raw, where, DETECTOR_NAMES, allow_empty=True))
    if kind == "url":
        return _url_rule(raw, where)
    selector_kind: SelectorKind = "mask" if kind == "mask" else "unmask" if kind == "unmask" else "block"
    return SelectorRule(selector_kind, _selector(raw.get("selector"), f"{where}.selector", rewritten))


def _selector(raw: object, where: str, rewritten: _Rewritten) -> SelectorList:
    if not isinstance(raw, str):
        raise InvalidField(f"{where} must be a string", field=where)
    try:
        parsed = parse_selector(raw.strip())
    except SelectorError as exc:
        raise InvalidField(f"{where}: {exc}", field=where) from exc
    for test in parsed.tests():
        if test.name in REMOVABLE_ATTRIBUTES:
            raise InvalidField(
                f"{where}: masking may remove [{test.name}]; select on something else", field=where
            )
        if test.op and test.name in rewritten:
            raise InvalidField(
                f"{where}: masking may rewrite the value of {test.name!r}; test it for presence only "
                f"([{test.name}])",
                field=where,
            )
    return parsed


def _names(
    raw: Mapping[str, Any], where: str, allowed: tuple[str, ...] | None, *, allow_empty: bool = False
) -> tuple[str, ...]:
    names = raw.get("names")
    if not isinstance(names, list) or (not names and not allow_empty):
        raise InvalidField(f"{where}.names must be a non-empty list", field=f"{where}.names")
    if len(names) > MAX_NAMES:
        raise InvalidField(f"at most {MAX_NAMES} names", field=f"{where}.names")
    out: list[str] = []
    for j, name in enumerate(names):
        here = f"{where}.names[{j}]"
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS:
            raise InvalidField(f"{here} must be a non-empty string", field=here)
        if allowed is not None:
            if name not in allowed:
                raise InvalidField(f"{here}: unknown detector {name!r} ({', '.join(allowed)})", field=here)
        elif not _ATTRIBUTE_NAME.fullmatch(name.lower()):
            raise InvalidField(
                f"{here}: {name!r} is not an attribute name (or prefix ending in *)", field=here
            )
        out.append(name if allowed is not None else name.lower())
    return tuple(out)


def _url_rule(raw: Mapping[str, Any], where: str) -> UrlRule:
    params = raw.get("params", [])
    if not isinstance(params, list) or len(params) > MAX_NAMES:
        raise InvalidField(f"{where}.params must be a list of names", field=f"{where}.params")
    for j, name in enumerate(params):
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS:
            raise InvalidField(
                f"{where}.params[{j}] must be a non-empty string", field=f"{where}.params[{j}]"
            )
    pattern = raw.get("path_segments")
    here = f"{where}.path_segments"
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN_CHARS:
            raise InvalidField(
                f"{here} must be a regular expression of 1-{MAX_PATTERN_CHARS} characters", field=here
            )
        if _NOT_PORTABLE.search(pattern):
            raise InvalidField(f"{here}: use syntax JavaScript and Python read alike", field=here)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidField(f"{here}: {exc}", field=here) from exc
    if not params and pattern is None:
        raise InvalidField(f"{where} needs params or path_segments", field=where)
    return UrlRule(tuple(params), pattern)
