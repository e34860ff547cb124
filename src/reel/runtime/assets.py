"""Where the browser bundles built from web/ live (git-ignored; `make build` writes them)."""

from __future__ import annotations

from pathlib import Path

BUILT_DIR = Path(__file__).resolve().parent.parent / "_built"


def built_asset(name: str) -> Path:
    """Path of a built bundle such as 'reel.js'; it may not exist before `make build`."""
    return BUILT_DIR / name
