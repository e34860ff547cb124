"""A rule set compiled for replay: what each masking context does to text, attributes and images (pure).

A node's context is three bits gathered from it and its ancestors: inside a `block` match, inside a
`mask` match, inside an `unmask` match. `Policy.effects[context]` says what that means under the preset
(docs/contracts/masking-rules.md, "Presets").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import islice
from typing import Any

from reel.dom.types import URL_ATTRIBUTES
from reel.domain.rules import RuleSet
from reel.domain.selectors import Complex, SelectorNode, matches
from reel.replay.masking.css import mask_css
from reel.replay.masking.detectors import mask_detected
from reel.replay.masking.text import mask_text
from reel.replay.masking.urls import mask_srcset, mask_url

# Context bits.
BLOCK, MASK, UNMASK = 1, 2, 4
# Effect bits.
DROP = 1  # blocked: nothing inside is sent
TEXT = 2  # text, CSS `content:` strings and messages masked (else only detectors)
LIST = 4  # the default attribute list masked
INPUTS = 8  # `value` and `placeholder` masked (mask_inputs masks them everywhere)
IMAGES = 16  # images become same-size placeholders

# Text modes (Policy.text_mode).
TEXT_DROPPED, TEXT_MASKED, TEXT_DETECTED, TEXT_SPECIAL = 0, 1, 2, 3

FIELD_TAGS = frozenset({"input", "textarea", "select"})
BUTTON_TYPES = frozenset({"button", "submit", "reset", "image"})
IMAGE_TAGS = frozenset({"img", "image", "source", "video"})
IMAGE_ATTRIBUTES = frozenset({"src", "srcset", "href", "xlink:href", "poster", "rr_dataurl"})
BOX_ATTRIBUTES = ("class", "rr_width", "rr_height")
_SKIP = object()  # an attribute left out

# Attribute kinds.
PLAIN, _RULE, _LIST, _PLACEHOLDER, _VALUE, _CONTENT, _URL, _SRCSET, _CSS, _SHEET, _DROPPED, _IMAGE_DATA = (
    range(12)
)
_KINDS = {
    **{n: _LIST for n in ("title", "alt", "aria-label", "aria-description", "label")},
    "placeholder": _PLACEHOLDER,
    "value": _VALUE,
    "content": _CONTENT,
    **{n: _URL for n in (*URL_ATTRIBUTES, "rr_src")},
    "srcset": _SRCSET,
    "style": _CSS,
    "_csstext": _SHEET,  # a style sheet's text: it belongs to no element (see `sheet`)
    "srcdoc": _DROPPED,  # never present: the frame's document is recorded as a document
    "rr_dataurl": _IMAGE_DATA,  # an image inlined by the recorder
}


def _effects(preset: str) -> tuple[int, ...]:
    out: list[int] = []
    for context in range(8):
        if context & BLOCK:
            effect = DROP
        elif context & MASK:
            effect = TEXT | LIST | INPUTS | (IMAGES if preset == "mask_all" else 0)
        elif context & UNMASK:
            effect = INPUTS if preset == "mask_inputs" else 0
        elif preset == "mask_inputs":
            effect = INPUTS
        else:
            effect = TEXT | LIST | INPUTS | (IMAGES if preset == "mask_all" else 0)
        out.append(effect)
    return tuple(out)


class Policy:
    """Everything replay masking needs from a rule set, precomputed."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.effects = _effects(rules.preset)
        self.document = self.effects[0]
        """The effect where no element is involved (page URL, messages, constructed sheets)."""
        self.unknown = self.effects[MASK]
        """The effect on nodes Reel cannot place in the DOM: masked, the safe side."""
        self.block = rules.selectors("block")
        self.mask = rules.selectors("mask")
        self.unmask = rules.selectors("unmask")
        self.has_selectors = bool(self.block or self.mask or self.unmask)
        self._index = _SelectorIndex(
            [(s, BLOCK) for s in self.block]
            + [(s, MASK) for s in self.mask]
            + [(s, UNMASK) for s in self.unmask]
        )
        watched = {"class", "id"}
        classes: set[str] = set()
        ids: set[str] = set()
        for complex_ in (*self.block, *self.mask, *self.unmask):
            for compound in complex_.compounds:
                watched.update(t.name for t in compound.tests)
                classes.update(compound.classes)
                ids.update(compound.ids)
        self.watched = frozenset(watched)
        """Attributes selectors read: a change to one may change contexts below the element."""
        self.selector_classes = frozenset(classes)
        self.selector_ids = frozenset(ids)
        # Finds a selector's class name inside a class attribute (then checked as a whole token).
        self._classes_in = re.compile("|".join(map(re.escape, sorted(classes)))).search if classes else None
        self.urls = rules.urls
        self.detectors = rules.detectors
        self.names, self.prefixes = rules.attribute_names
        self.kinds: dict[str, int] = {}
        """Attribute kinds by name, as met (see `kind`); PLAIN ones are never changed."""

    def own(self, node: SelectorNode) -> int:
        """The context bits an element's own selector matches add."""
        index = self._index
        attrs = node.attrs
        candidates: list[_Entry] | None = None
        if index.ids:
            element_id = attrs.get("id")
            found = index.ids.get(element_id) if isinstance(element_id, str) else None
            if found:
                candidates = list(found)
        if index.classes:
            value = attrs.get("class")
            # A substring test first (cheap, in C); the exact class test is the selector's own.
            if isinstance(value, str) and value:
                for name, found in index.classes.items():
                    if name in value:
                        candidates = found + candidates if candidates else list(found)
        if index.tags:
            found = index.tags.get(node.tag)
            if found:
                candidates = found + candidates if candidates else list(found)
        for name, found in index.attrs.items():
            if name in attrs:
                candidates = found + candidates if candidates else list(found)
        if index.anything:
            candidates = index.anything + candidates if candidates else index.anything
        if not candidates:
            return 0
        bits = 0
        for selector, bit in candidates:
            if not bits & bit and matches(selector, node, beyond=bit != UNMASK):
                bits |= bit
        return bits

    def changes_matches(self, name: str, old: object, new: object) -> bool:
        """Whether changing attribute `name` from `old` to `new` may change what a selector matches."""
        if name == "class":
            find = self._classes_in
            return find is not None and any(
                isinstance(v, str) and find(v) is not None and not self.selector_classes.isdisjoint(v.split())
                for v in (old, new)
            )
        if name == "id":
            return old in self.selector_ids or new in self.selector_ids
        return name in self.watched

    def text_mode(self, ctx: int, parent: SelectorNode | None) -> int:
        """How a text node's text is masked: TEXT_DROPPED (blocked), TEXT_MASKED, TEXT_DETECTED, or
        TEXT_SPECIAL (a style sheet, a textarea's value, or a node Reel cannot place: see nodes.py)."""
        if ctx & BLOCK:
            return TEXT_DROPPED
        if parent is None or parent.tag in ("style", "textarea"):
            return TEXT_SPECIAL
        return TEXT_MASKED if self.effects[ctx] & TEXT else TEXT_DETECTED

    def detect(self, text: str) -> str:
        """`text` with the detectors applied."""
        return mask_detected(text, self.detectors) if self.detectors else text

    def text(self, text: str, effect: int) -> str:
        """Text under an effect: masked, or only detectors where it is shown."""
        return mask_text(text) if effect & TEXT else self.detect(text)

    def css(self, css: str, effect: int, prop: str | None = None) -> str:
        """CSS (or the value of `prop`) under an effect: declaration strings like text, url()s by the URL
        rules."""
        return mask_css(css, mask_text if effect & TEXT else self.detect, self.urls, prop)

    def kind(self, name: str) -> int:
        """How an attribute is treated, by its (any case) name."""
        found = self.kinds.get(name)
        if found is None:
            lower = name.lower()
            if lower != "srcdoc" and (
                lower in self.names or (self.prefixes and lower.startswith(self.prefixes))
            ):
                found = _RULE
            elif lower.startswith("data-"):
                found = _LIST
            else:
                found = _KINDS.get(lower, PLAIN)
            self.kinds[name] = found
        return found

    def attributes(self, attrs: dict[str, Any], tag: str, effect: int, field: bool) -> dict[str, Any]:
        """An element's attributes (or an attribute change) masked; `tag` "" for an unknown element.

        `field` is true for an input whose value is an input value (always masked). Values that are not
        strings or numbers are dropped; None (an attribute removed by a change) is kept. When masking
        changes nothing, `attrs` itself comes back (it is never modified).
        """
        out: dict[str, Any] | None = None
        images = bool(effect & IMAGES) and (not tag or tag in IMAGE_TAGS)
        kinds = self.kinds
        for i, (name, value) in enumerate(attrs.items()):
            kind = kinds.get(name)
            if kind is None:
                kind = self.kind(name)
            new: Any
            if kind == PLAIN and type(value) is str:
                new = value  # the common case first: class, id, type, rr_* ...
            elif kind == _CSS and type(value) is dict:
                new = self.style_change(value, effect)  # then animations: a style diff per frame
            else:
                new = self._value(name, value, kind, tag, effect, field, images)
            if out is not None:
                if new is not _SKIP:
                    out[name] = new
            elif new is not value:
                out = dict(islice(attrs.items(), i))
                if new is not _SKIP:
                    out[name] = new
        if images and tag == "img" and not ("rr_width" in attrs and "rr_height" in attrs):
            out = dict(attrs) if out is None else out
            _placeholder_size(attrs, out)
        return attrs if out is None else out

    def _value(
        self, name: str, value: Any, kind: int, tag: str, effect: int, field: bool, images: bool
    ) -> Any:
        """One attribute's masked value, or _SKIP to leave it out."""
        if kind == _DROPPED or (images and name.lower() in IMAGE_ATTRIBUTES):
            return _SKIP
        if images and type(value) is str and name.lower() == "alt":
            # Empty, not masked: masked text shows as a broken image's caption; kept, `[alt]` still matches.
            return ""
        if value is None or value is True or value is False:
            return value  # removed by a change, or a boolean attribute
        if type(value) is not str:
            if kind == _CSS and type(value) is dict:
                return self.style_change(value, effect)
            if type(value) in (int, float):
                return value if kind in (PLAIN, _IMAGE_DATA) else mask_text(str(value))
            return _SKIP  # objects and lists are not attribute values
        if kind in (PLAIN, _IMAGE_DATA) or (kind == _CONTENT and tag == "meta" and is_viewport(value)):
            return value
        if kind == _RULE:
            return mask_text(value)
        if kind == _URL:
            return mask_url(value, self.urls)
        if kind == _CSS:
            return self.css(value, effect)
        if kind == _SHEET:
            return self.css(value, self.document)
        if kind == _SRCSET:
            return mask_srcset(value, self.urls)
        if (
            (kind == _VALUE and (field or effect & INPUTS))
            or (kind == _PLACEHOLDER and effect & INPUTS)
            or (effect & LIST and (kind != _CONTENT or tag == "meta" or not tag))
        ):
            return mask_text(value)
        if kind != _CONTENT or tag == "meta":
            return self.detect(value)
        return value

    def style_change(self, change: dict[str, Any], effect: int) -> dict[str, Any]:
        """A style attribute change as rrweb diffs it: property to value, [value, priority] or false.

        `change` itself comes back when masking changes nothing (the common case: a width, a colour).
        """
        out: dict[str, Any] | None = None
        for i, (prop, value) in enumerate(change.items()):
            if type(value) is str:
                new: Any = value
                if "(" in value or "'" in value or '"' in value:
                    new = self.css_value(prop, value, effect)
            elif isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                masked = self.css_value(prop, value[0], effect)
                new = value if masked is value[0] else [masked, value[1]]
            elif value is False:
                new = value
            else:
                new = _SKIP
            if out is not None:
                if new is not _SKIP:
                    out[prop] = new
            elif new is not value:
                out = dict(islice(change.items(), i))
                if new is not _SKIP:
                    out[prop] = new
        return change if out is None else out

    def css_value(self, prop: str, value: str, effect: int) -> str:
        """One declaration's value: its strings like text (but a font's, a grid's…), url()s by the URL
        rules."""
        if "(" not in value and "'" not in value and '"' not in value:
            return value  # no string, no url(): the common case of animated styles
        return self.css(value, effect, prop)


_Entry = tuple[Complex, int]


class _SelectorIndex:
    """Selectors by what their last compound needs (an id, a class, a tag), so most elements are checked
    against none: the lookup browsers use."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.ids: dict[str, list[_Entry]] = {}
        self.classes: dict[str, list[_Entry]] = {}
        self.tags: dict[str, list[_Entry]] = {}
        self.attrs: dict[str, list[_Entry]] = {}
        self.anything: list[_Entry] = []
        for entry in entries:
            last = entry[0].compounds[-1]
            if last.ids:
                self.ids.setdefault(last.ids[0], []).append(entry)
            elif last.classes:
                self.classes.setdefault(last.classes[0], []).append(entry)
            elif last.tag is not None:
                self.tags.setdefault(last.tag, []).append(entry)
            elif last.tests:
                self.attrs.setdefault(last.tests[0].name, []).append(entry)
            else:
                self.anything.append(entry)


_VIEWPORT_KEY = (
    r"(?:width|height|initial-scale|minimum-scale|maximum-scale|user-scalable|viewport-fit"
    r"|interactive-widget|shrink-to-fit)"
)
_VIEWPORT_VALUE = (
    r"(?:device-width|device-height|yes|no|auto|cover|contain|resizes-visual|resizes-content"
    r"|overlays-content|[0-9]{1,5}(?:\.[0-9]{1,3})?)"
)
_VIEWPORT_SETTING = rf"\s*{_VIEWPORT_KEY}\s*=\s*{_VIEWPORT_VALUE}\s*"
_VIEWPORT = re.compile(rf"{_VIEWPORT_SETTING}(?:[,;]{_VIEWPORT_SETTING})*[,;]?\s*", re.I | re.ASCII)


def is_viewport(content: str) -> bool:
    """True for a `<meta>` content made only of viewport settings (layout, never data): kept unmasked."""
    return len(content) <= 300 and _VIEWPORT.fullmatch(content) is not None


def box_attributes(attrs: Mapping[str, Any], *, change: bool = False) -> dict[str, Any]:
    """What a blocked element keeps: its class and size (rrweb's block box), size derived if need be.

    For an attribute `change`, removals (None) of those attributes are kept and no size is derived.
    """
    out = {
        k: v
        for k in BOX_ATTRIBUTES
        if k in attrs and (isinstance(v := attrs[k], str | int | float) or (change and v is None))
    }
    if not change:
        _placeholder_size(attrs, out)
    return out


def _placeholder_size(attrs: Mapping[str, Any], out: dict[str, Any]) -> None:
    """rr_width/rr_height from the width/height attributes when the recorder did not measure them."""
    for dim in ("width", "height"):
        key = "rr_" + dim
        value = attrs.get(dim)
        if key not in out and isinstance(value, str | int) and str(value).isdigit():
            out[key] = f"{value}px"
