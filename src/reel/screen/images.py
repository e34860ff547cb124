"""Image headers read without decoding: the type and the dimensions of PNG, JPEG and WebP (pure).

Mobile frames are images posted by anyone who holds an app key, so nothing decodes them at ingest: a
few header bytes tell the type (anything else is 415) and the dimensions (past the caps is 413), which
stops a tiny file that would inflate to gigabytes of pixels before any decoder sees it. A cheap walk of
the file's structure then refuses images cut short or damaged (reel/screen/structure.py); an image
can still fail to decode past it, and replay skips such an image where it would be drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from reel.errors import InvalidField, PayloadTooLarge, UnsupportedMediaType
from reel.screen.structure import structure_is_whole

FORMATS = ("png", "jpeg", "webp")
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
MAX_SIDE = 8192
MAX_PIXELS = 2048 * 2048
"""4.2 Mpx: a phone screen at 2 pixels per point (a 430x932 pt iPhone: 860x1864) or a 1024x1366 pt
tablet at 1.5 (1536x2049) fits; native resolution beyond that is downscaled by the SDK. The bound on
what one picture costs the server: decoding the costliest 4.2 Mpx image (lossy WebP of noise) takes
~0.24 s of CPU and encoding a picture that size as PNG ~0.37 s (docs/contracts/mobile-beacon.md); at
the former 16.8 Mpx the two cost ~3 s."""
MAX_SCALE = 8.0
"""At most this many image pixels per point along each side of the rectangle an image fills."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, RST0-7 (SOI and EOI end the scan here anyway).
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class ImageInfo:
    """What the header says: `format` (png, jpeg or webp), width and height in pixels."""

    format: str
    width: int
    height: int


def sniff_format(data: bytes) -> str | None:
    """The image type by its signature, or None for anything else."""
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def read_image_info(data: bytes, where: str) -> ImageInfo:
    """Type and dimensions from the header; 415 for another type, 400 for a broken header or structure
    (reel/screen/structure.py), 413 if huge."""
    kind = sniff_format(data)
    if kind is None:
        raise UnsupportedMediaType(f"{where} is not a PNG, JPEG or WebP image")
    reader = {"png": _png_size, "jpeg": _jpeg_size, "webp": _webp_size}[kind]
    size = reader(data)
    if size is None:
        raise InvalidField(f"{where} has a truncated or malformed {kind.upper()} header", field=where)
    width, height = size
    if width <= 0 or height <= 0:
        raise InvalidField(f"{where} has no pixels ({width}x{height})", field=where)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise PayloadTooLarge(
            f"{where} is {width}x{height} pixels; at most {MAX_SIDE} a side and {MAX_PIXELS} in all"
        )
    if not structure_is_whole(data, kind):
        raise InvalidField(
            f"{where} is a damaged {kind.upper()} (cut short, or its checksums do not match)", field=where
        )
    return ImageInfo(kind, width, height)


def _u16be(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "big")


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk must be IHDR: length 13, then width and height as 32-bit big-endian numbers.
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    end = len(data)
    while at + 4 <= end:
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill bytes before a marker
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        length = _u16be(data, at + 2)
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if at + 9 > end:
                return None
            return _u16be(data, at + 7), _u16be(data, at + 5)  # stored as height, then width
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30:
        return None
    chunk = data[12:16]
    body = 20
    if chunk == b"VP8 ":
        # Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
        if data[body + 3 : body + 6] != b"\x9d\x01\x2a":
            return None
        width = int.from_bytes(data[body + 6 : body + 8], "little") & 0x3FFF
        height = int.from_bytes(data[body + 8 : body + 10], "little") & 0x3FFF
        return width, height
    if chunk == b"VP8L":
        # Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each.
        if data[body] != 0x2F:
            return None
        bits = int.from_bytes(data[body + 1 : body + 5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        # Extended: flags, then the canvas width-1 and height-1 in 24 bits each. Animation is refused:
        # a frame is one picture.
        if data[body] & 0x02:
            raise UnsupportedMediaType("animated WebP images are not accepted as frames")
        width = int.from_bytes(data[body + 4 : body + 7], "little") + 1
        height = int.from_bytes(data[body + 7 : body + 10], "little") + 1
        return width, height
    return None
