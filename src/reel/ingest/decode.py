"""Body decoding with caps: streaming gunzip that stops at the decompressed limit (gzip bombs cost little)."""

from __future__ import annotations

import zlib

from reel.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

SUPPORTED_ENCODINGS = ("identity", "gzip")


class CappedDecoder:
    """Feed compressed chunks, get the decoded body; raises past `max_out` decoded bytes."""

    def __init__(self, encoding: str, *, max_out: int) -> None:
        encoding = (encoding or "identity").strip().lower()
        if encoding not in SUPPORTED_ENCODINGS:
            raise UnsupportedMediaType(
                f"content encoding {encoding!r} is not supported (use gzip or identity)"
            )
        self.encoding = encoding
        self.max_out = max_out
        self._out = bytearray()
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None

    def feed(self, chunk: bytes) -> None:
        """Decode one more chunk of the body."""
        if self._inflate is None:
            self._append(chunk)
            return
        if self._inflate.eof:
            if chunk:
                raise BadRequest("unexpected data after the end of the gzip stream")
            return
        data = chunk
        while data:
            room = self.max_out - len(self._out) + 1
            try:
                piece = self._inflate.decompress(data, room)
            except zlib.error as exc:
                raise BadRequest(f"malformed gzip body: {exc}") from exc
            self._append(piece)
            if self._inflate.eof:
                if self._inflate.unused_data:
                    raise BadRequest("unexpected data after the end of the gzip stream")
                return
            data = self._inflate.unconsumed_tail

    def finish(self) -> bytes:
        """The whole decoded body; raises if a gzip stream was cut short."""
        if self._inflate is not None and not self._inflate.eof:
            raise BadRequest("truncated gzip body")
        return bytes(self._out)

    def _append(self, piece: bytes) -> None:
        if len(self._out) + len(piece) > self.max_out:
            raise PayloadTooLarge(f"decompressed body exceeds {self.max_out} bytes")
        self._out += piece


def decode_body(body: bytes, encoding: str, *, max_out: int) -> bytes:
    """Decode a whole body at once (tests and callers that already hold the bytes)."""
    decoder = CappedDecoder(encoding, max_out=max_out)
    decoder.feed(body)
    return decoder.finish()
