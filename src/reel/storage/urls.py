"""Store URLs: which backend a configuration URL names, and where its files are."""

from __future__ import annotations

from urllib.parse import urlparse


def scheme_of(url: str) -> str:
    """The backend part of a store URL: 'sqlite', 'memory', 'file', 'postgresql' …"""
    return urlparse(url).scheme


def local_path(url: str) -> str:
    """The file-system path of a `sqlite:` or `file:` URL.

    As SQLAlchemy and Datasette read them: `sqlite:///data/reel.sqlite3` is relative to the working
    directory and `sqlite:////var/lib/reel/reel.sqlite3` (four slashes) is absolute.
    """
    scheme, _, rest = url.partition("://")
    if not rest.startswith("/"):
        raise ValueError(f"{scheme} URL needs a path after {scheme}:///: {url!r}")
    return rest[1:] if scheme == "sqlite" else rest
