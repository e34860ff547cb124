"""Run every benchmark module in bench/ (each has a `main()`), or the ones named on the command line."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path


def machine() -> str:
    """One line describing where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    return f"{platform.platform()} · {cpu} · {os.cpu_count()} CPUs · Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = argv or sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))
    print(f"machine: {machine()}")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        runner = getattr(module, "main", None)
        if runner is None:
            continue
        print(f"\n== {name} ==")
        runner()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
