"""docs/reliability.md names the tests that cover each case of brief §8: they must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_named_in_the_reliability_catalogue_exists() -> None:
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) > 50
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).is_file()
        or not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == []


def test_the_catalogue_has_a_row_for_each_section_of_brief_8() -> None:
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for section in ("## Bad input", "## Faults", "## Load", "## Security"):
        assert section in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| case")]
    assert len(rows) >= 32  # 11 bad input, 7 faults, 3 load, 11 security
