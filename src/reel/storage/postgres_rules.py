"""Rule store on PostgreSQL, in the session store's database."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from reel.domain.rules import RuleSet, parse_rules, rules_document
from reel.errors import InvalidField, StorageUnavailable
from reel.storage.postgres_db import PostgresDatabase
from reel.storage.rule_store import RuleRecord, default_record

_COLUMNS = "app_id, version, document, operator_id, created_at, restored_from"
_PARSED_MAX = 256
_SAVE_LOCK = 0x7265656C
"""First key of the advisory lock that orders the saves of one application ('reel')."""


class PostgresRuleStore(PostgresDatabase):
    """PostgreSQL-backed rule store; `url` is the session store's database."""

    store_name = "rule store"
    raise_integrity_errors = False

    def __init__(self, url: str, **pool: Any) -> None:
        # Parsed documents by (app, version): every player request reads the current rules, and a
        # version never changes once saved.
        self._parsed: dict[tuple[str, int], RuleSet] = {}
        super().__init__(url, **pool)

    def current(self, app_id: str) -> RuleRecord:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = %s ORDER BY version DESC LIMIT 1", (app_id,)
        )
        return self._record(rows[0]) if rows else default_record(app_id)

    def save(
        self, app_id: str, rules: RuleSet, operator_id: str, now: int, *, restored_from: int | None = None
    ) -> RuleRecord:
        document = rules_document(rules)
        with self._write() as conn:
            # Saves of one application (from any process) queue here, so each reads the version the one
            # before it wrote; without the lock two would compute the same next version.
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_SAVE_LOCK, app_id))
            row = conn.execute(
                f"INSERT INTO masking_rules ({_COLUMNS})"
                " SELECT %s, COALESCE(MAX(version), 0) + 1, %s, %s, %s, %s"
                " FROM masking_rules WHERE app_id = %s"
                f" RETURNING {_COLUMNS}",
                (app_id, Jsonb(document), operator_id, now, restored_from, app_id),
            ).fetchone()
        if row is None:
            raise StorageUnavailable("rule store error: the new version was not written")
        return self._record(row)

    def version(self, app_id: str, version: int) -> RuleRecord | None:
        if version == 0:
            return default_record(app_id)
        rows = self._read(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = %s AND version = %s", (app_id, version)
        )
        return self._record(rows[0]) if rows else None

    def history(self, app_id: str) -> list[RuleRecord]:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM masking_rules WHERE app_id = %s ORDER BY version DESC", (app_id,)
        )
        return [self._record(r) for r in rows]

    def _record(self, row: tuple[Any, ...]) -> RuleRecord:
        app_id, version, document, operator_id, created_at, restored_from = row
        rules = self._parsed.get((app_id, version))
        if rules is None:
            try:
                rules = parse_rules(document, version=version)
            except InvalidField as exc:
                # Never fall back to weaker rules: a replay without its rules is refused instead.
                raise StorageUnavailable(f"stored masking rules v{version} are unreadable: {exc}") from exc
            if len(self._parsed) >= _PARSED_MAX:
                self._parsed.clear()
            self._parsed[(app_id, version)] = rules
        return RuleRecord(app_id, rules, operator_id, created_at, restored_from)
