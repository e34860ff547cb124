"""Rule store on SQLite, in the session store's database file: one write connection behind a lock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from reel.domain.rules import RuleSet, parse_rules, rules_document
from reel.errors import InvalidField, StorageUnavailable
from reel.storage.rule_store import RuleRecord, default_record
from reel.storage.sqlite_db import SqliteDatabase

_COLUMNS = "app_id, version, document, operator_id, created_at, restored_from"
_PARSED_MAX = 256


class SqliteRuleStore(SqliteDatabase):
    """SQLite-backed rule store; `path` is the database file shared with the session store."""

    store_name = "rule store"
    foreign_keys = False
    raise_integrity_errors = False

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        # Parsed documents by (app, version): every player request reads the current rules, and a
        # version never changes once saved.
        self._parsed: dict[tuple[str, int], RuleSet] = {}
        super().__init__(path, busy_timeout_ms=busy_timeout_ms)

    def current(self, app_id: str) -> RuleRecord:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = ? ORDER BY version DESC LIMIT 1", (app_id,)
        )
        return self._record(rows[0]) if rows else default_record(app_id)

    def save(
        self, app_id: str, rules: RuleSet, operator_id: str, now: int, *, restored_from: int | None = None
    ) -> RuleRecord:
        document = orjson.dumps(rules_document(rules)).decode()
        with self._write_lock, self._guard():
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                # The next version inside the same write transaction: concurrent saves cannot share one.
                (version,) = conn.execute(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM masking_rules WHERE app_id = ?", (app_id,)
                ).fetchone()
                conn.execute(
                    f"INSERT INTO masking_rules ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    (app_id, version, document, operator_id, now, restored_from),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return self._record((app_id, version, document, operator_id, now, restored_from))

    def version(self, app_id: str, version: int) -> RuleRecord | None:
        if version == 0:
            return default_record(app_id)
        rows = self._read(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = ? AND version = ?", (app_id, version)
        )
        return self._record(rows[0]) if rows else None

    def history(self, app_id: str) -> list[RuleRecord]:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = ? ORDER BY version DESC", (app_id,)
        )
        return [self._record(r) for r in rows]

    def _record(self, row: tuple[Any, ...]) -> RuleRecord:
        app_id, version, document, operator_id, created_at, restored_from = row
        rules = self._parsed.get((app_id, version))
        if rules is None:
            try:
                rules = parse_rules(orjson.loads(document), version=version)
            except (orjson.JSONDecodeError, InvalidField) as exc:
                # Never fall back to weaker rules: a replay without its rules is refused instead.
                raise StorageUnavailable(f"stored masking rules v{version} are unreadable: {exc}") from exc
            if len(self._parsed) >= _PARSED_MAX:
                self._parsed.clear()
            self._parsed[(app_id, version)] = rules
        return RuleRecord(app_id, rules, operator_id, created_at, restored_from)
