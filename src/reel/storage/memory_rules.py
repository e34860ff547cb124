"""In-memory rule store: the reference backend the contract tests hold every other backend to."""

from __future__ import annotations

import dataclasses
import threading

from reel.domain.rules import RuleSet
from reel.storage.rule_store import RuleRecord, default_record


class MemoryRuleStore:
    """A list of versions per application behind one lock; every method is a transaction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, list[RuleRecord]] = {}

    def current(self, app_id: str) -> RuleRecord:
        with self._lock:
            versions = self._versions.get(app_id)
            return versions[-1] if versions else default_record(app_id)

    def save(
        self, app_id: str, rules: RuleSet, operator_id: str, now: int, *, restored_from: int | None = None
    ) -> RuleRecord:
        with self._lock:
            versions = self._versions.setdefault(app_id, [])
            record = RuleRecord(
                app_id, dataclasses.replace(rules, version=len(versions) + 1), operator_id, now, restored_from
            )
            versions.append(record)
            return record

    def version(self, app_id: str, version: int) -> RuleRecord | None:
        if version == 0:
            return default_record(app_id)
        with self._lock:
            versions = self._versions.get(app_id, [])
            return versions[version - 1] if 1 <= version <= len(versions) else None

    def history(self, app_id: str) -> list[RuleRecord]:
        with self._lock:
            return list(reversed(self._versions.get(app_id, [])))

    def close(self) -> None:
        return None
