"""The masking rule store interface: each application's rules, one immutable version per change.

Version 0 is Reel's built-in defaults; it is never stored, and `current` answers it for an application
that has no saved rules. Versions go 1, 2, 3 per application and are never reused or rewritten, so a
session's `rules_version` (the rules applied at capture) always names what was applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reel.domain.rules import DEFAULT_RULES, RuleSet


@dataclass(frozen=True)
class RuleRecord:
    """One version of an application's rules: the rules, who saved them and when (None for version 0)."""

    app_id: str
    rules: RuleSet
    operator_id: str | None = None
    created_at: int | None = None
    restored_from: int | None = None
    """The earlier version this one restores (its rules copied as they were); None for an edit."""

    @property
    def version(self) -> int:
        """The rules' version (0: the built-in defaults)."""
        return self.rules.version


def default_record(app_id: str) -> RuleRecord:
    """Version 0 of an application that has no saved rules."""
    return RuleRecord(app_id, DEFAULT_RULES)


class RuleStore(Protocol):
    """Masking rules per application. Every write is one transaction; errors raise StorageUnavailable."""

    def current(self, app_id: str) -> RuleRecord:
        """The latest version of the application's rules, or version 0 when none was saved."""
        ...

    def save(
        self, app_id: str, rules: RuleSet, operator_id: str, now: int, *, restored_from: int | None = None
    ) -> RuleRecord:
        """Store `rules` (their version is ignored) as the application's next version; the new record.
        `restored_from` names the earlier version the rules were copied from, when this is a restore."""
        ...

    def version(self, app_id: str, version: int) -> RuleRecord | None:
        """One version of the application's rules (0: the defaults), or None if it was never saved."""
        ...

    def history(self, app_id: str) -> list[RuleRecord]:
        """Every saved version of the application's rules, newest first."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
