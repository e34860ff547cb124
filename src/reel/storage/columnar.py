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
        """The column's kind and bytes: integers as varints of their differences or of themselves,
        whichever is shorter (ids in sequence count up; ids picked at random do not)."""
        if self.kind != _INT:
            return self.kind, self.data
        deltas, plain = bytearray(), bytearray()
        prev = 0
        for v in self.ints:
            _varint(deltas, _zigzag(v - prev))
            _varint(plain, _zigzag(v))
            prev = v
        return (_INT, deltas) if len(deltas) <= len(plain) else (_INT_PLAIN, plain)


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


def _ints(data: memoryview, deltas: bool) -> list[int]:
    values = [(z >> 1) if not z & 1 else -((z + 1) >> 1) for z in _varints(data)]
    if deltas:
        total = 0
        for i, v in enumerate(values):
            total += v
            values[i] = total
    return values


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


def _varints(data: memoryview) -> list[int]:
    """Every varint in `data`, in one pass (the reader's hot loop: no call per number)."""
    if not data or max(data) < 0x80:
        return list(data)
    out: list[int] = []
    append = out.append
    n = shift = 0
    for byte in data:
        if byte < 0x80:
            append(n | (byte << shift))
            n = shift = 0
        else:
            n |= (byte & 0x7F) << shift
            shift += 7
    if shift:
        raise ValueError("a varint is cut")
    return out


def _tokens(shape: memoryview) -> list[int]:
    """The shape as numbers: every tag, length and key number is a varint (tags are one byte)."""
    return _varints(shape)


def _walk(keys: list[str], tokens: list[int], columns: list[tuple[int, list[Any]]]) -> Any:
    """The value the shape describes, each scalar taken from its path's column (closures over locals:
    this runs once per value, the cost of reading a segment)."""
    nxt = iter(tokens).__next__
    pending = iter(columns)

    def take(path: _Path, tag: int) -> Any:
        kind, values = next(pending)
        if kind != tag:
            raise ValueError("a column of the wrong kind")
        it = path.cols[tag - _INT] = iter(values).__next__
        return it

    def value(path: _Path, depth: int) -> Any:
        tag = nxt()
        if tag in (_INT, _STR, _FLOAT):
            it = path.cols[tag - _INT]
            return (it or take(path, tag))()
        if depth >= MAX_DEPTH and tag in (_DICT, _LIST):
            raise TooDeep
        if tag == _DICT:
            out: dict[str, Any] = {}
            children = path.children
            for _ in range(nxt()):
                number = nxt()
                child = children.get(number)
                if child is None:
                    child = children[number] = _Path()
                out[keys[number]] = value(child, depth + 1)
            return out
        if tag == _LIST:
            return [value(path, depth + 1) for _ in range(nxt())]
        if tag == _NULL:
            return None
        if tag == _TRUE:
            return True
        if tag == _FALSE:
            return False
        raise ValueError(f"unknown tag {tag}")

    result = value(_Path(), 0)
    if next(iter(nxt, None), None) is not None or next(pending, None) is not None:
        raise ValueError("data left over after the value")
    return result


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
        if kind in (_INT, _INT_PLAIN):
            columns.append((_INT, _ints(section, kind == _INT)))
        elif kind == _STR:
            columns.append((kind, _strs(section)))
        elif kind == _FLOAT:
            columns.append((kind, _floats(section)))
        else:
            raise ValueError(f"unknown column kind {kind}")
    return _walk(keys, _tokens(sections[1][1]), columns)
