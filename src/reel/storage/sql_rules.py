"""The masking rule store in SQL, one implementation for SQLite and PostgreSQL (reel.storage.sql).

Its database is the session store's. A document is written as JSON text (PostgreSQL keeps it as jsonb,
SQLite as text) and parsed once per version: every player request reads the current rules, and a version
never changes once saved.
"""

from __future__ import annotations

from typing import Any

import orjson

from reel.domain.rules import RuleSet, parse_rules, rules_document
from reel.errors import InvalidField, StorageUnavailable
from reel.storage.rule_store import RuleRecord, default_record
from reel.storage.sql import Row, SqlDatabase

_COLUMNS = "app_id, version, document, operator_id, created_at, restored_from"
_PARSED_MAX = 256
_SAVE_LOCK = 0x7265656C
"""First key of the lock that orders the saves of one application ('reel')."""


class SqlRuleStore:
    """The rule store on a SQL database (`SqliteDatabase` or `PostgresDatabase`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self._parsed: dict[tuple[str, int], RuleSet] = {}

    def close(self) -> None:
        self.db.close()

    def current(self, app_id: str) -> RuleRecord:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = ? ORDER BY version DESC LIMIT 1", (app_id,)
        )
        return self._record(rows[0]) if rows else default_record(app_id)

    def save(
        self, app_id: str, rules: RuleSet, operator_id: str, now: int, *, restored_from: int | None = None
    ) -> RuleRecord:
        document = orjson.dumps(rules_document(rules)).decode()
        with self.db.write() as tx:
            # Saves of one application (from any process) queue here, so each reads the version the one
            # before it wrote; without the lock two would compute the same next version.
            tx.key_lock(_SAVE_LOCK, app_id)
            row = tx.one(
                f"INSERT INTO masking_rules ({_COLUMNS}) VALUES"
                " (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM masking_rules WHERE app_id = ?), ?, ?, ?, ?)"
                f" RETURNING {_COLUMNS}",
                (app_id, app_id, document, operator_id, now, restored_from),
            )
        if row is None:
            raise StorageUnavailable("rule store error: the new version was not written")
        return self._record(row)

    def version(self, app_id: str, version: int) -> RuleRecord | None:
        if version == 0:
            return default_record(app_id)
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = ? AND version = ?", (app_id, version)
        )
        return self._record(rows[0]) if rows else None

    def history(self, app_id: str) -> list[RuleRecord]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = ? ORDER BY version DESC", (app_id,)
        )
        return [self._record(r) for r in rows]

    def _record(self, row: Row) -> RuleRecord:
        app_id, version = str(row["app_id"]), int(row["version"])
        rules = self._parsed.get((app_id, version))
        if rules is None:
            try:
                rules = parse_rules(_document(row["document"]), version=version)
            except (orjson.JSONDecodeError, InvalidField) as exc:
                # Never fall back to weaker rules: a replay without its rules is refused instead.
                raise StorageUnavailable(f"stored masking rules v{version} are unreadable: {exc}") from exc
            if len(self._parsed) >= _PARSED_MAX:
                self._parsed.clear()
            self._parsed[(app_id, version)] = rules
        return RuleRecord(app_id, rules, row["operator_id"], row["created_at"], row["restored_from"])


def _document(value: Any) -> Any:
    """A stored document: PostgreSQL hands jsonb back parsed, SQLite as text."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value
