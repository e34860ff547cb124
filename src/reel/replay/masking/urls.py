"""URL rules: query values, path segments, fragments, credentials (pure).

Applied to the page URL, link and resource attributes and CSS `url()`. Masked parts become `***`, the
fragment is dropped (it often carries tokens), `user:password@` never leaves. `data:` and `blob:` URLs are
content the page made, not addresses, and stay; other schemes without `//` (`mailto:`, `tel:`) are opaque
and keep only their scheme. Every step maps its own output to itself, so masking is idempotent.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from reel.domain.rules import UrlPolicy
from reel.replay.masking.detectors import has_detected

MASK = "***"
_PARTS = re.compile(r"([A-Za-z][\w+.-]*:)?(//[^/?#]*)?([^?#]*)(\?[^#]*)?", re.ASCII)
_USERINFO = re.compile(r"^//.*@", re.S)
_DESCRIPTOR = re.compile(r"[\d.]+[wxh],?", re.ASCII)
_SRCSET_TOKEN = re.compile(r"[^\s,]\S*")
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)""", re.I)
_KEPT_SCHEMES = ("data:", "blob:")
# A reference to an element of the same document (`<use href="#icon">`, `<a href="#reviews">`) names an
# id, not data; tokens in fragments (`#access_token=…`) never look like one, so they are still dropped.
_ELEMENT_REF = re.compile(r"#[A-Za-z][\w:.-]{0,63}", re.ASCII)
_WEB_SCHEMES = ("http:", "https:")


def mask_url(url: str, policy: UrlPolicy) -> str:
    """`url` with the policy applied (see the module docstring)."""
    if _ELEMENT_REF.fullmatch(url) and not (policy.detectors and has_detected(url[1:], policy.detectors)):
        return url
    if (
        policy.segments is None
        and not any(c in url for c in "?#@:")
        and (not policy.detectors or len(url) < 9)
    ):
        return url  # a plain relative path: nothing to mask
    m = _PARTS.match(url)
    if m is None:  # cannot happen: every part is optional
        return MASK
    scheme = (m.group(1) or "").lower()
    if scheme in _KEPT_SCHEMES:
        return url
    authority = m.group(2) or ""
    if scheme and not authority and scheme not in _WEB_SCHEMES:
        return scheme + MASK
    if "@" in authority:
        authority = _USERINFO.sub("//", authority)
    path = m.group(3)
    if policy.segments is not None or (policy.detectors and len(path) >= 9) or "@" in path:
        path = "/".join(_mask_segment(s, policy) for s in path.split("/"))
    query = m.group(4) or ""
    if len(query) > 1:
        query = "?" + "&".join(_mask_pair(p, policy) for p in query[1:].split("&"))
    return scheme + authority + path + query


def _mask_segment(segment: str, policy: UrlPolicy) -> str:
    if not segment or segment == MASK:
        return segment
    if policy.segments is not None and policy.segments.search(segment):
        return MASK
    if policy.detectors and has_detected(unquote_plus(segment), policy.detectors):
        return MASK
    return segment


def _mask_pair(pair: str, policy: UrlPolicy) -> str:
    name, eq, value = pair.partition("=")
    if not eq:  # a bare token: a value without a name
        if pair and (policy.params is None or has_detected(unquote_plus(pair), policy.detectors)):
            return MASK
        return pair
    if not value or value == MASK:
        return pair
    if policy.params is None or unquote_plus(name) in policy.params:
        return name + "=" + MASK
    if policy.detectors and has_detected(unquote_plus(value), policy.detectors):
        return name + "=" + MASK
    return pair


def mask_srcset(value: str, policy: UrlPolicy) -> str:
    """Each URL of a `srcset` masked; descriptors such as `2x` or `480w` kept."""

    def one(m: re.Match[str]) -> str:
        token = m.group()
        if _DESCRIPTOR.fullmatch(token):
            return token
        url = token.rstrip(",")
        return mask_url(url, policy) + token[len(url) :]

    return _SRCSET_TOKEN.sub(one, value)


def mask_css_urls(css: str, policy: UrlPolicy) -> str:
    """Every CSS `url(...)` masked."""
    if "(" not in css:
        return css
    return _CSS_URL.sub(lambda m: f"url({m.group(1)}{mask_url(m.group(2), policy)}{m.group(1)})", css)
