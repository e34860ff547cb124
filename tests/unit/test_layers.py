"""The package follows the data path: no stage imports one above it, and no modules import each other.

Floors, from the bottom: the core modules, then `dom`/`screen`, `domain`, `storage`, `runtime`/`admin`,
the write-side stages, the read side (`replay`), then `api`, `player`, `server`, and the entry points.
Write-side stages are siblings: none imports another. The test reads imports from the source (AST), so a
lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
CORE = {"errors", "ids", "clock", "jsonio", "config", "config_reference", "credentials", "_built"}
FLOORS: list[set[str]] = [
    {"core"},
    {"dom", "screen"},
    {"domain"},
    {"storage"},
    {"runtime", "admin"},
    {"capture", "ingest", "processing", "retention"},
    {"replay"},
    {"api"},
    {"player"},
    {"server"},
    {"demo", "integrations", "client"},
    {"cli"},
]
SIBLINGS_MAY_IMPORT_EACH_OTHER = {frozenset({"runtime", "admin"})}
ENTRY = "__main__"


def floor_of(package: str) -> int:
    for number, members in enumerate(FLOORS):
        if package in members:
            return number
    raise AssertionError(f"reel.{package} has no floor: add it to FLOORS in {__file__}")


def package_of(module: str) -> str:
    """`reel.storage.keys` → `storage`; the top-level modules (`reel.errors`…) → `core`."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return "core" if parts[1] in CORE else parts[1]  # reel.__main__ stays "__main__": the entry point


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted((SRC / "reel").rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imports_of(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every `reel.*` module imported by `module` (relative imports resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reel"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("reel"):
                continue
            known = {m for m, _ in modules()}
            for alias in node.names:
                full = f"{target}.{alias.name}"
                yield (full if full in known else target), node.lineno


def test_no_stage_imports_one_above_it_or_a_sibling() -> None:
    wrong: list[str] = []
    for module, path in modules():
        here = package_of(module)
        if here in ("__init__", ENTRY):
            continue
        for target, line in imports_of(module, path):
            there = package_of(target)
            if there in (here, "__init__"):
                continue
            if floor_of(there) > floor_of(here) or (
                floor_of(there) == floor_of(here)
                and frozenset({here, there}) not in SIBLINGS_MAY_IMPORT_EACH_OTHER
            ):
                wrong.append(f"{path.relative_to(SRC)}:{line} reel.{here} imports {target}")
    assert wrong == []


def cycles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of `graph` meets (module -> the modules it imports)."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            # A package's __init__ re-exporting its own modules is its face, not a cycle.
            if node.startswith(nxt + ".") or nxt.startswith(node + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def test_no_import_cycles_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    known = {m for m, _ in modules()}
    for module, path in modules():
        graph[module] = {t for t, _ in imports_of(module, path) if t in known and t != module}
    assert cycles_in(graph) == []


WEB_SRC = SRC.parent / "web" / "src"
TS_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s+["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


def test_no_import_cycles_in_the_browser_code() -> None:
    """The recorder and the player (TypeScript): relative imports, type-only ones included, form no cycle."""
    graph: dict[str, set[str]] = {}
    for path in WEB_SRC.rglob("*.ts"):
        targets = {(path.parent / spec).resolve() for spec in TS_IMPORT.findall(path.read_text())}
        graph[str(path)] = {str(t.with_suffix(".ts")) for t in targets}
    graph = {m: {t for t in targets if t in graph} for m, targets in graph.items()}
    assert len(graph) > 40 and sum(map(len, graph.values())) > 40  # the walk reads the real tree
    assert cycles_in(graph) == []


def test_the_floors_name_every_package() -> None:
    packages = {package_of(m) for m, _ in modules()} - {"__init__", ENTRY}
    assert {p for p in packages if not any(p in f for f in FLOORS)} == set()
