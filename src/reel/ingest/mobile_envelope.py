"""The mobile beacon (docs/contracts/mobile-beacon.md): binary framing, envelope and events, pure.

A body is `RLMB`, a version byte, the JSON envelope behind a 32-bit length, then the images, each behind
its own 32-bit length. Every event is rebuilt from the fields the contract names, so a field the
contract does not know (typed text from a careless SDK, say) is never stored; unknown event types are
dropped and counted. Images are checked by their headers only (reel/ingest/images.py).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from reel.errors import BadRequest, InvalidField, PayloadTooLarge, UnsupportedMediaType
from reel.ingest.envelope import EnvelopeHeader, read_envelope
from reel.ingest.mobile_events import normalise_event
from reel.screen.images import FORMATS, MAX_PIXELS, MAX_SCALE, ImageInfo, read_image_info

MAGIC = b"RLMB"
BODY_VERSION = 1
MAX_META_BYTES = 8 * 1024 * 1024
MAX_IMAGES = 1000
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_BEACON_PIXELS = 8 * MAX_PIXELS
"""Pixels of all frames of a beacon together (an image used by two frames counts twice: it is drawn
twice). Reel's SDK sends at most ~10 screenshots a beacon (2 a second for 5 s), a few Mpx at most."""


@dataclass(frozen=True)
class MobileImage:
    """One image part: its bytes, their SHA-256 (hex, the name it is stored under) and its header."""

    digest: str
    data: bytes
    info: ImageInfo


@dataclass(frozen=True)
class MobileBeacon(EnvelopeHeader):
    """One validated mobile beacon: its header, normalised events, and the images its frames use."""

    events: tuple[dict[str, Any], ...]
    images: tuple[MobileImage, ...]
    ignored: int = 0


def split_body(body: bytes) -> tuple[bytes, list[bytes]]:
    """The JSON envelope and the image parts of a framed body."""
    if len(body) < 9 or body[:4] != MAGIC:
        raise BadRequest("body is not a mobile beacon (it must start with RLMB; see the mobile contract)")
    if body[4] != BODY_VERSION:
        raise UnsupportedMediaType(f"mobile beacon framing version {body[4]} is not supported (use 1)")
    meta_len = int.from_bytes(body[5:9], "big")
    if meta_len > MAX_META_BYTES:
        raise PayloadTooLarge(f"the JSON envelope may be at most {MAX_META_BYTES} bytes")
    at = 9 + meta_len
    if at > len(body):
        raise BadRequest("truncated body: the JSON envelope is cut short")
    meta = body[9:at]
    parts: list[bytes] = []
    while at < len(body):
        if len(parts) >= MAX_IMAGES:
            raise PayloadTooLarge(f"a beacon may carry at most {MAX_IMAGES} images")
        if at + 4 > len(body):
            raise BadRequest(f"truncated body: the length of image {len(parts)} is cut short")
        size = int.from_bytes(body[at : at + 4], "big")
        if size > MAX_IMAGE_BYTES:
            raise PayloadTooLarge(f"images[{len(parts)}] is {size} bytes; at most {MAX_IMAGE_BYTES}")
        start, at = at + 4, at + 4 + size
        if at > len(body):
            raise BadRequest(f"truncated body: images[{len(parts)}] is cut short")
        parts.append(body[start:at])
    return meta, parts


def parse_mobile_beacon(body: bytes, *, max_events: int) -> MobileBeacon:
    """Parse and validate a decoded body; every failure names its field."""
    meta, parts = split_body(body)
    # Image headers first: a wrong type or a huge image is refused before anything else is looked at.
    infos = [read_image_info(part, f"images[{i}]") for i, part in enumerate(parts)]
    head, events, _ = read_envelope(meta, "the envelope", max_events=max_events)
    digests = [hashlib.sha256(part).hexdigest() for part in parts]
    used = [False] * len(parts)
    out: list[dict[str, Any]] = []
    ignored = 0
    pixels = 0
    for index, event in enumerate(events):
        normal = normalise_event(event, f"events[{index}]")
        if normal is None:
            ignored += 1
            continue
        if normal["type"] == "frame":
            _attach_image(normal, event, index, infos, digests, used)
            pixels += normal["width"] * normal["height"]
            if pixels > MAX_BEACON_PIXELS:
                raise PayloadTooLarge(
                    f"the frames up to events[{index}] hold {pixels} pixels; a beacon may hold at most "
                    f"{MAX_BEACON_PIXELS}",
                    field=f"events[{index}]",
                )
        out.append(normal)
    unused = [i for i, u in enumerate(used) if not u]
    if unused:
        raise InvalidField(f"images[{unused[0]}] is not used by any frame", field=f"images[{unused[0]}]")
    images: dict[str, MobileImage] = {}
    for part, digest, info in zip(parts, digests, infos, strict=True):
        images.setdefault(digest, MobileImage(digest, part, info))
    return MobileBeacon(
        **vars(head),
        events=tuple(out),
        images=tuple(images.values()),
        ignored=ignored,
    )


def _attach_image(
    normal: dict[str, Any],
    event: dict[str, Any],
    index: int,
    infos: list[ImageInfo],
    digests: list[str],
    used: list[bool],
) -> None:
    where = f"events[{index}].image"
    part = event.get("image")
    if not isinstance(part, int) or isinstance(part, bool) or not 0 <= part < len(infos):
        raise InvalidField(f"{where} must be the index of an image of this beacon", field=where)
    info = infos[part]
    declared = event.get("format", info.format)
    if declared not in FORMATS:
        raise UnsupportedMediaType(f"events[{index}].format must be one of {', '.join(FORMATS)}")
    if declared != info.format:
        raise UnsupportedMediaType(f"images[{part}] is {info.format}, not {declared} as events[{index}] says")
    _check_pixel_budget(normal["rect"], info, index, part)
    used[part] = True
    normal.update(image=digests[part], format=info.format, width=info.width, height=info.height)


def box_limit(rect: list[float | int]) -> tuple[int, int]:
    """The largest image (width, height) a frame of `rect` (points) may carry: `MAX_SCALE` pixels per
    point along each side, plus one pixel for the rounding of the box's edges."""
    return math.ceil(rect[2] * MAX_SCALE) + 1, math.ceil(rect[3] * MAX_SCALE) + 1


def _check_pixel_budget(rect: list[float | int], info: ImageInfo, index: int, part: int) -> None:
    # Drawing costs what the image holds, not what the box shows: ten 4096x4096 images in 10x10 pt
    # boxes once took seconds to composite. An image holds at most MAX_SCALE pixels per point of its box.
    width, height = box_limit(rect)
    if info.width > width or info.height > height:
        raise PayloadTooLarge(
            f"events[{index}] fills a {rect[2]:g}x{rect[3]:g} pt rect with images[{part}] of "
            f"{info.width}x{info.height} pixels; at most {MAX_SCALE:g} pixels per point ({width}x{height})",
            field=f"events[{index}].image",
        )
