"""A recorded DOM as static HTML, for the first frame the player page carries (pure; brief §3.4, P5).

Input is a serialized rrweb node tree that has already been through the player's pipeline (sanitised,
masked, resource URLs pointed at Reel's copies). Output is an HTML document that shows the same picture
without rrweb: no scripts, no handlers, no frames' contents. It applies the one sanitiser's element and
attribute rules itself (reel.replay.sanitize), so it is safe even on a tree that skipped the pipeline,
and writes every text with reel.replay.markup: nothing in it reads as markup in any parser context,
foreign content (`<svg><style>`) included. Style sheets may be inlined (`<link>` to a copy → `<style>`
with its text), so the frame is styled the moment it is shown. The player copies it into its sandboxed
iframe until the replayer takes over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from reel.dom.types import DOCTYPE, DOCUMENT, ELEMENT, TEXT
from reel.replay.markup import css_text_for_html, escape_attribute, escape_text
from reel.replay.sanitize import INERT_TAG, clean_attributes, neutralised

VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "param",
        "keygen",
    }
)
# Left out with everything inside, besides what the sanitiser neutralises: raw-text elements a static
# picture does not need (`<plaintext>` would swallow the rest of the page), frames and plugins.
SKIPPED = frozenset(
    {
        INERT_TAG,
        "template",
        "xmp",
        "plaintext",
        "noembed",
        "noframes",
        "object",
        "embed",
        "applet",
        "param",
        "frame",
        "frameset",
        "portal",
    }
)
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
_ATTRIBUTE = re.compile(r"[^\s\"'>/=\x00-\x1f\x7f]{1,128}")
_DROPPED = frozenset({"_csstext", "autocomplete"})
_MASKED_IMAGE = "background:#dfe3ea;"
_LENGTH = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,4})?px")

InlineCss = Callable[[str], str | None]
"""Given a stylesheet link's href, the CSS text to inline instead, or None to keep the link."""


def _attrs_html(tag: str, attrs: Mapping[str, Any]) -> str:
    out: list[str] = []
    style_extra = ""
    attrs = clean_attributes(attrs, tag)  # the sanitiser's rules, whatever the tree went through
    style = attrs.get("style")
    for name, value in attrs.items():
        if not isinstance(name, str) or not _ATTRIBUTE.fullmatch(name):
            continue
        lower = name.lower()
        if lower in _DROPPED:
            continue
        if lower.startswith("rr_"):
            # rrweb's size of a blocked element is the only one that changes the picture: a length.
            if lower in ("rr_width", "rr_height") and isinstance(value, str) and _LENGTH.fullmatch(value):
                style_extra += f"{lower[3:]}:{value};"
            continue
        if (tag == "iframe" and lower == "src") or (tag == "textarea" and lower == "value"):
            continue
        if value is None or value is False:
            continue
        if value is True:
            out.append(f" {name}")
            continue
        if lower == "style":
            continue  # written last, with a blocked element's size added
        if not isinstance(value, str | int | float):
            continue
        out.append(f' {name}="{escape_attribute(str(value))}"')
    if tag == "img" and "src" not in attrs and "srcset" not in attrs:
        style_extra += _MASKED_IMAGE  # an image masking left without a source: a grey box, as in the player
    if isinstance(style, str) and style:
        style_extra = style.rstrip().rstrip(";") + (";" + style_extra if style_extra else "")
    if style_extra:
        out.append(f' style="{escape_attribute(style_extra)}"')
    return "".join(out)


def render_html(node: Mapping[str, Any], inline_css: InlineCss | None = None) -> str:
    """The node tree (usually a document) as HTML; iterative, so any depth is fine."""
    out: list[str] = []
    # Work items: a node to open, or a closing tag to write once its children are done.
    stack: list[Mapping[str, Any] | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        kind = item.get("type")
        if kind == DOCTYPE:
            out.append("<!DOCTYPE html>")
            continue
        if kind == TEXT:
            text = item.get("textContent")
            if isinstance(text, str):
                out.append(escape_text(text))
            continue
        if kind == DOCUMENT:
            _push_children(stack, item)
            continue
        if kind != ELEMENT:
            continue  # comments, CDATA
        name = item.get("tagName")
        if not isinstance(name, str) or not _TAG.fullmatch(name):
            continue
        svg = item.get("isSVG") is True
        tag = name if svg else name.lower()
        lower = tag.lower()
        if lower in SKIPPED or neutralised(lower):
            continue
        attrs = item.get("attributes")
        attrs = attrs if isinstance(attrs, Mapping) else {}
        css = _inline_style(lower, attrs, inline_css)
        if css is not None:
            out.append(f"<style>{css_text_for_html(css)}</style>")
            continue
        out.append(f"<{tag}{_attrs_html(lower, attrs)}>")
        if lower == "style":
            out.append(css_text_for_html(_style_text(item)))
            out.append("</style>")
            continue
        if lower == "textarea":
            value = attrs.get("value")
            out.append(escape_text(value if isinstance(value, str) else _text_of(item)))
            out.append("</textarea>")
            continue
        if lower == "title":
            out.append(escape_text(_text_of(item)) + "</title>")
            continue
        if lower in VOID and not svg:
            continue
        stack.append(f"</{tag}>")
        if lower != "iframe":
            _push_children(stack, item)
    return "".join(out)


def _push_children(stack: list[Mapping[str, Any] | str], item: Mapping[str, Any]) -> None:
    children = item.get("childNodes")
    if isinstance(children, list):
        stack.extend(c for c in reversed(children) if isinstance(c, Mapping))


def _inline_style(tag: str, attrs: Mapping[str, Any], inline_css: InlineCss | None) -> str | None:
    """The CSS of a <link> rebuilt as <style>: its inlined `_cssText`, or the copy it points at."""
    if tag != "link":
        return None
    text = attrs.get("_cssText")
    if isinstance(text, str):
        return text
    rel = attrs.get("rel")
    href = attrs.get("href")
    if inline_css is None or not isinstance(href, str) or not isinstance(rel, str):
        return None
    if "stylesheet" not in rel.lower().split() or attrs.get("disabled") not in (None, False):
        return None
    return inline_css(href)


def _style_text(item: Mapping[str, Any]) -> str:
    attrs = item.get("attributes")
    if isinstance(attrs, Mapping) and isinstance(attrs.get("_cssText"), str):
        return str(attrs["_cssText"])
    return _text_of(item)


def _text_of(item: Mapping[str, Any]) -> str:
    children = item.get("childNodes")
    if not isinstance(children, list):
        return ""
    return "".join(
        c["textContent"] for c in children if isinstance(c, Mapping) and isinstance(c.get("textContent"), str)
    )


def stylesheet_hrefs(node: Mapping[str, Any]) -> list[str]:
    """The hrefs of the stylesheet links of a tree, in document order (what a first frame may inline)."""
    found: list[str] = []
    stack: list[Mapping[str, Any]] = [node]
    while stack:
        item = stack.pop()
        if item.get("type") == ELEMENT and str(item.get("tagName", "")).lower() == "link":
            attrs = item.get("attributes")
            if isinstance(attrs, Mapping) and "_cssText" not in attrs:
                rel, href = attrs.get("rel"), attrs.get("href")
                if isinstance(rel, str) and "stylesheet" in rel.lower().split() and isinstance(href, str):
                    found.append(href)
        children = item.get("childNodes")
        if isinstance(children, list):
            stack.extend(c for c in reversed(children) if isinstance(c, Mapping))
    return found
