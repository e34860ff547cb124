"""A JSON value split into columns for compression (pure): its shape in one stream, its values by path.

Recorded events repeat the same few shapes with different values, and values under one path (every
`data.adds.node.id`, every `timestamp`) resemble each other far more than their neighbours in the text.
So the value is written as: the object keys (each once), the shape (a tag per value, lengths, key
numbers), then one column per (path, kind) — path being the keys from the root, array positions left
out — in order of first appearance. Integers are stored as the zigzag varint of their difference from the
previous integer of their column (node ids and timestamps count up) or of themselves, whichever is
shorter, floats as their shortest decimal text, strings as UTF-8, each after its length. A general
compressor (zstd) then finds far more in this than in the JSON.
Layout: docs/contracts/storage.md "Segment formats". Exact: `decode(encode(v)) == v` for any JSON value
whose containers nest at most MAX_DEPTH deep (deeper ones raise TooDeep; callers keep JSON for them).
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 200
"""Deepest nesting written in columns: encoding and decoding recurse, so stay far below Python's limit."""

_NULL, _TRUE, _FALSE, _INT, _FLOAT, _STR, _LIST, _DICT = range(8)
_INT_PLAIN = 8  # integers as themselves, not as differences from the previous one
_INT_TABLE = 9  # integers as their number among the column's distinct values so far (0: a new one follows)


class TooDeep(ValueError):
    """The value nests deeper than MAX_DEPTH."""


class _Path:
    """One path from the root: its columns (by kind) and the paths below it (by key number)."""

    __slots__ = ("children", "cols")

    def __init__(self) -> None:
        self.children: dict[int, _Path] = {}
        self.cols: list[Any] = [None, None, None]  # per kind: the encoder's _Column, the decoder's iterator


class _Column:
    __slots__ = ("data", "ints", "kind")

    def __init__(self, kind: int) -> None:
        self.kind = kind
        self.data = bytearray()
        self.ints: list[int] = []

    def section(self) -> tuple[int, bytes | bytearray]:
        """The column's kind and bytes. Integers are written the shortest of three ways: differences
        from the previous one (ids in sequence), themselves, or their number among the column's
        distinct values so far (ids picked again and again from a large range: a table's cells)."""
        if self.kind != _INT:
            return self.kind, self.data
        deltas, plain, table = bytearray(), bytearray(), bytearray()
        seen: dict[int, int] = {}
        prev = 0
        for v in self.ints:
            _varint(deltas, _zigzag(v - prev))
            _varint(plain, _zigzag(v))
            prev = v
            number = seen.get(v)
            if number is None:
                seen[v] = len(seen) + 1
                table.append(0)
                _varint(table, _zigzag(v))
            else:
                _varint(table, number)
        return min((_INT, deltas), (_INT_PLAIN, plain), (_INT_TABLE, table), key=lambda c: len(c[1]))


def _zigzag(n: int) -> int:
    return n << 1 if n >= 0 else ((-n) << 1) - 1


def _varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


class _Encoder:
    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.key_text = bytearray()
        self.shape = bytearray()
        self.columns: list[_Column] = []

    def column(self, path: _Path, kind: int) -> _Column:
        slot = kind - _INT
        col: _Column | None = path.cols[slot]
        if col is None:
            col = path.cols[slot] = _Column(kind)
            self.columns.append(col)
        return col

    def value(self, v: Any, path: _Path, depth: int) -> None:
        shape = self.shape
        if v is None:
            shape.append(_NULL)
        elif v is True:
            shape.append(_TRUE)
        elif v is False:
            shape.append(_FALSE)
        elif isinstance(v, int):
            shape.append(_INT)
            self.column(path, _INT).ints.append(v)
        elif isinstance(v, str):
            shape.append(_STR)
            data = self.column(path, _STR).data
            raw = v.encode("utf-8", "surrogatepass")
            _varint(data, len(raw))
            data += raw
        elif isinstance(v, dict):
            if depth >= MAX_DEPTH:
                raise TooDeep
            shape.append(_DICT)
            _varint(shape, len(v))
            children = path.children
            for key, item in v.items():
                number = self.keys.get(key)
                if number is None:
                    number = self.keys[key] = len(self.keys)
                    raw = key.encode("utf-8", "surrogatepass")
                    _varint(self.key_text, len(raw))
                    self.key_text += raw
                _varint(shape, number)
                child = children.get(number)
                if child is None:
                    child = children[number] = _Path()
                self.value(item, child, depth + 1)
        elif isinstance(v, list):
            if depth >= MAX_DEPTH:
                raise TooDeep
            shape.append(_LIST)
            _varint(shape, len(v))
            for item in v:
                self.value(item, path, depth + 1)
        elif isinstance(v, float):
            shape.append(_FLOAT)
            data = self.column(path, _FLOAT).data
            text = repr(v).encode("ascii")  # shortest text that reads back as the same double
            _varint(data, len(text))
            data += text
        else:
            raise TypeError(f"not a JSON value: {type(v).__name__}")


def encode(value: Any) -> bytes:
    """The columns of a JSON value: section count, then each section's kind and length, then the
    sections (key names, shape, columns in order of first appearance)."""
    enc = _Encoder()
    enc.value(value, _Path(), 0)
    sections = [(0, enc.key_text), (0, enc.shape)] + [c.section() for c in enc.columns]
    out = bytearray()
    _varint(out, len(sections))
    for kind, data in sections:
        out.append(kind)
        _varint(out, len(data))
    for _, data in sections:
        out += data
    return bytes(out)


class _Reader:
    """Varints and bytes from one section."""

    __slots__ = ("at", "data")

    def __init__(self, data: bytes | memoryview, at: int = 0) -> None:
        self.data = data
        self.at = at

    def varint(self) -> int:
        data, at = self.data, self.at
        byte = data[at]
        at += 1
        n = byte & 0x7F
        shift = 7
        while byte & 0x80:
            byte = data[at]
            at += 1
            n |= (byte & 0x7F) << shift
            shift += 7
        self.at = at
        return n


def _ints(data: memoryview, kind: int) -> list[int]:
    r = _Reader(data)
    out: list[int] = []
    prev = 0
    end = len(data)
    if kind == _INT_TABLE:
        seen: list[int] = []
        while r.at < end:
            number = r.varint()
            if number:
                out.append(seen[number - 1])
            else:
                z = r.varint()
                seen.append((z >> 1) if not z & 1 else -((z + 1) >> 1))
                out.append(seen[-1])
        return out
    deltas = kind == _INT
    while r.at < end:
        z = r.varint()
        v = (z >> 1) if not z & 1 else -((z + 1) >> 1)
        prev = prev + v if deltas else v
        out.append(prev)
    return out


def _strs(data: memoryview) -> list[str]:
    r = _Reader(data)
    out: list[str] = []
    end = len(data)
    while r.at < end:
        n = r.varint()
        out.append(bytes(data[r.at : r.at + n]).decode("utf-8", "surrogatepass"))
        r.at += n
    if r.at != end:
        raise ValueError("a string column runs past its end")
    return out


def _floats(data: memoryview) -> list[float]:
    return [float(text) for text in _strs(data)]


class _Decoder:
    def __init__(self, keys: list[str], shape: bytes, columns: list[tuple[int, list[Any]]]) -> None:
        self.keys = keys
        self.shape = _Reader(shape)
        self.columns = iter(columns)

    def column(self, path: _Path, kind: int) -> Any:
        slot = kind - _INT
        it = path.cols[slot]
        if it is None:
            col_kind, values = next(self.columns)
            if col_kind != kind:
                raise ValueError("a column of the wrong kind")
            it = path.cols[slot] = iter(values)
        return it

    def value(self, path: _Path, depth: int) -> Any:
        shape = self.shape
        tag = shape.data[shape.at]
        shape.at += 1
        if tag in (_INT, _STR, _FLOAT):
            return next(self.column(path, tag))
        if tag == _DICT:
            if depth >= MAX_DEPTH:
                raise TooDeep
            out: dict[str, Any] = {}
            keys = self.keys
            children = path.children
            for _ in range(shape.varint()):
                number = shape.varint()
                child = children.get(number)
                if child is None:
                    child = children[number] = _Path()
                out[keys[number]] = self.value(child, depth + 1)
            return out
        if tag == _LIST:
            if depth >= MAX_DEPTH:
                raise TooDeep
            return [self.value(path, depth + 1) for _ in range(shape.varint())]
        if tag == _NULL:
            return None
        if tag == _TRUE:
            return True
        if tag == _FALSE:
            return False
        raise ValueError(f"unknown tag {tag}")


def decode(data: bytes) -> Any:
    """The JSON value of `encode`'s output; raises ValueError (or IndexError, StopIteration) if malformed."""
    view = memoryview(data)
    head = _Reader(view)
    count = head.varint()
    if count < 2:
        raise ValueError("too few sections")
    layout = []
    for _ in range(count):
        kind = view[head.at]
        head.at += 1
        layout.append((kind, head.varint()))
    at = head.at
    sections: list[tuple[int, memoryview]] = []
    for kind, size in layout:
        sections.append((kind, view[at : at + size]))
        at += size
    if at != len(view):
        raise ValueError("sections do not fill the data")
    keys = _strs(sections[0][1])
    columns: list[tuple[int, list[Any]]] = []
    for kind, section in sections[2:]:
        if kind in (_INT, _INT_PLAIN, _INT_TABLE):
            columns.append((_INT, _ints(section, kind)))
        elif kind == _STR:
            columns.append((kind, _strs(section)))
        elif kind == _FLOAT:
            columns.append((kind, _floats(section)))
        else:
            raise ValueError(f"unknown column kind {kind}")
    dec = _Decoder(keys, bytes(sections[1][1]), columns)
    value = dec.value(_Path(), 0)
    if dec.shape.at != len(dec.shape.data) or next(dec.columns, None) is not None:
        raise ValueError("data left over after the value")
    return value
