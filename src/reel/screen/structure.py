"""Whether an image file is whole, checked from its structure without decoding a pixel (pure).

Ingest refuses a frame image that was cut short or damaged in a way its container can tell: a PNG
whose chunk checksums do not match or that has no image data or end chunk, a JPEG without its
start-of-scan and end-of-image markers, a WebP whose chunks run past the file. This costs a checksum
pass over a PNG and a few comparisons for JPEG and WebP (~0.1 ms for a 120 KiB phone screen), where
decoding the same screen costs 7-31 ms (measured with Pillow for a 1080x2400 screen in JPEG, PNG and
WebP): ingest would spend several times its other work on decoding, so it does not decode. An image can
therefore pass these checks and still not decode (damaged compressed data with checksums recomputed,
a JPEG whose entropy-coded data is wrong); replay skips such an image where it would be drawn.
"""

from __future__ import annotations

import zlib

_PNG_SIGNATURE_LENGTH = 8
_MAX_CHUNK = 2**31 - 1


def structure_is_whole(data: bytes, kind: str) -> bool:
    """True if `data`, an image of type `kind` (png, jpeg or webp), is structurally whole."""
    if kind == "png":
        return _png_is_whole(data)
    if kind == "jpeg":
        return _jpeg_is_whole(data)
    if kind == "webp":
        return _webp_is_whole(data)
    return False


def _png_is_whole(data: bytes) -> bool:
    # Chunks: length (4, big-endian), type (4), data, CRC-32 of type and data (4); IDAT before IEND.
    view = memoryview(data)
    at = _PNG_SIGNATURE_LENGTH
    seen_data = False
    while at + 12 <= len(data):
        length = int.from_bytes(view[at : at + 4], "big")
        end = at + 12 + length
        if length > _MAX_CHUNK or end > len(data):
            return False
        kind = bytes(view[at + 4 : at + 8])
        if zlib.crc32(view[at + 4 : at + 8 + length]) != int.from_bytes(view[end - 4 : end], "big"):
            return False
        if kind == b"IDAT":
            seen_data = True
        elif kind == b"IEND":
            return seen_data
        at = end
    return False


def _jpeg_is_whole(data: bytes) -> bool:
    # A baseline or progressive JPEG has a start of scan, and its entropy-coded data ends with EOI. Bytes
    # after EOI (some encoders pad) are allowed.
    start_of_scan = data.find(b"\xff\xda", 2)
    return start_of_scan > 0 and data.rfind(b"\xff\xd9") > start_of_scan


def _webp_is_whole(data: bytes) -> bool:
    # RIFF size (little-endian) counts from byte 8; chunks of fourcc, size and data padded to even.
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if riff_end > len(data) or riff_end < 20:
        return False
    at = 12
    seen_image = False
    while at + 8 <= riff_end:
        size = int.from_bytes(data[at + 4 : at + 8], "little")
        end = at + 8 + size + (size & 1)
        if end > riff_end + (size & 1):
            return False
        seen_image = seen_image or data[at : at + 4] in (b"VP8 ", b"VP8L")
        at = end
    return seen_image
