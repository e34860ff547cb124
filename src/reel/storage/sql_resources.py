"""The resource store in SQL, one implementation for SQLite and PostgreSQL (reel.storage.sql).

Its database is the session store's. Several workers may claim at once in PostgreSQL: a claim skips rows
another transaction holds (FOR UPDATE SKIP LOCKED), so no row goes to two workers.
"""

from __future__ import annotations

from collections.abc import Sequence

from reel.storage.keys import RESOURCE_PREFIX, resource_blob_key
from reel.storage.resource_store import (
    UNREFERENCED_GRACE_MS,
    CaptureRow,
    PendingResource,
    RecordingResource,
    ResourceMeta,
    ResourceSettings,
)
from reel.storage.sql import SqlDatabase, chunked, placeholders, record, text_list_of

_ROW_COLUMNS = "app_id, recording_id, url, status, digest, reason, discovered_at, captured_at, attempts"


class SqlResourceStore:
    """The resource store on a SQL database (`SqliteDatabase` or `PostgresDatabase`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    # settings

    def settings(self, app_id: str) -> ResourceSettings | None:
        rows = self.db.query(
            "SELECT app_id, origins, allow_private, updated_at FROM resource_settings WHERE app_id = ?",
            (app_id,),
        )
        return record(ResourceSettings, rows[0], origins=text_list_of(rows[0]["origins"])) if rows else None

    def save_settings(self, settings: ResourceSettings) -> None:
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO resource_settings (app_id, origins, allow_private, updated_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (app_id) DO UPDATE SET origins = excluded.origins,"
                " allow_private = excluded.allow_private, updated_at = excluded.updated_at",
                (
                    settings.app_id,
                    tx.dialect.text_list(settings.origins),
                    settings.allow_private,
                    settings.updated_at,
                ),
            )

    # rows

    def enqueue(self, app_id: str, recording_id: str, urls: Sequence[str], now: int) -> int:
        unique = list(dict.fromkeys(urls))
        if not unique:
            return 0
        added = 0
        with self.db.write() as tx:
            for part in chunked(unique, 200):
                added += tx.run(
                    "INSERT INTO recording_resources (recording_id, url, app_id, status, discovered_at)"
                    " VALUES "
                    + ", ".join(["(?, ?, ?, 'pending', ?)"] * len(part))
                    + " ON CONFLICT (recording_id, url) DO NOTHING",
                    [value for url in part for value in (recording_id, url, app_id, now)],
                )
        return added

    def claim(self, limit: int, now: int, lease_ms: int) -> list[PendingResource]:
        with self.db.write() as tx:
            rows = tx.all(
                "SELECT app_id, recording_id, url, discovered_at, attempts FROM recording_resources"
                " WHERE status = 'pending' AND claimed_at <= ?"
                f" ORDER BY claimed_at, discovered_at, url LIMIT ?{tx.dialect.skip_locked}",
                (now - lease_ms, limit),
            )
            tx.many(
                "UPDATE recording_resources SET claimed_at = ? WHERE recording_id = ? AND url = ?",
                [(now, r["recording_id"], r["url"]) for r in rows],
            )
        return [record(PendingResource, r) for r in rows]

    def save_resource(self, meta: ResourceMeta, links: Sequence[tuple[str, str]], now: int) -> None:
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO resources (digest, content_type, size, created_at, last_used_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE"
                f" SET last_used_at = {tx.dialect.greatest}(resources.last_used_at, excluded.last_used_at)",
                (meta.digest, meta.content_type, meta.size, meta.created_at, now),
            )
            tx.many(
                "INSERT INTO resource_links (parent_digest, url, child_digest) VALUES (?, ?, ?)"
                " ON CONFLICT (parent_digest, url) DO NOTHING",
                [(meta.digest, url, child) for url, child in links],
            )

    def resource(self, digest: str) -> ResourceMeta | None:
        rows = self.db.query(
            "SELECT digest, content_type, size, created_at FROM resources WHERE digest = ?", (digest,)
        )
        return record(ResourceMeta, rows[0]) if rows else None

    def links(self, digest: str) -> list[tuple[str, str]]:
        rows = self.db.query(
            "SELECT url, child_digest FROM resource_links WHERE parent_digest = ? ORDER BY url", (digest,)
        )
        return [(str(r["url"]), str(r["child_digest"])) for r in rows]

    def finish(self, app_id: str, recording_id: str, rows: Sequence[CaptureRow], now: int) -> None:
        with self.db.write() as tx:
            for out in rows:
                if out.status == "pending":
                    tx.run(
                        "UPDATE recording_resources SET attempts = attempts + 1, reason = ?"
                        " WHERE recording_id = ? AND url = ?",
                        (out.reason, recording_id, out.url),
                    )
                    continue
                # A capture already made is not undone by a later failed attempt.
                tx.run(
                    "INSERT INTO recording_resources (recording_id, url, app_id, status, digest, reason,"
                    " discovered_at, captured_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"
                    " ON CONFLICT (recording_id, url) DO UPDATE SET status = excluded.status,"
                    " digest = excluded.digest, reason = excluded.reason, captured_at = excluded.captured_at,"
                    " attempts = recording_resources.attempts + 1"
                    " WHERE recording_resources.status <> 'captured' OR excluded.status = 'captured'",
                    (recording_id, out.url, app_id, out.status, out.digest, out.reason, now, now),
                )
                if out.digest is not None:
                    tx.run(
                        f"UPDATE resources SET last_used_at = {tx.dialect.greatest}(last_used_at, ?)"
                        " WHERE digest = ?",
                        (now, out.digest),
                    )

    def recent_capture(self, app_id: str, url: str, since: int) -> str | None:
        rows = self.db.query(
            "SELECT digest FROM recording_resources WHERE app_id = ? AND url = ? AND status = 'captured'"
            " AND captured_at >= ? ORDER BY captured_at DESC LIMIT 1",
            (app_id, url, since),
        )
        return str(rows[0]["digest"]) if rows else None

    def captured(self, recording_id: str) -> dict[str, str]:
        rows = self.db.query(
            "SELECT url, digest FROM recording_resources WHERE recording_id = ? AND status = 'captured'"
            " AND digest IS NOT NULL",
            (recording_id,),
        )
        return {str(r["url"]): str(r["digest"]) for r in rows}

    def rows(self, recording_id: str) -> list[RecordingResource]:
        rows = self.db.query(
            f"SELECT {_ROW_COLUMNS} FROM recording_resources WHERE recording_id = ? ORDER BY url",
            (recording_id,),
        )
        return [record(RecordingResource, r) for r in rows]

    def visible(self, digest: str, app_ids: tuple[str, ...] | None) -> bool:
        if app_ids is None:
            rows = self.db.query(
                "SELECT 1 AS found FROM recording_resources WHERE digest = ? LIMIT 1", (digest,)
            )
        elif not app_ids:
            return False
        else:
            rows = self.db.query(
                "SELECT 1 AS found FROM recording_resources"
                f" WHERE digest = ? AND app_id IN ({placeholders(len(app_ids))}) LIMIT 1",
                (digest, *app_ids),
            )
        return bool(rows)

    # the purge's ResourceRefs

    def release(self, recording_id: str) -> None:
        with self.db.write() as tx:
            tx.run("DELETE FROM recording_resources WHERE recording_id = ?", (recording_id,))

    def unreferenced(self, now: int, limit: int) -> list[str]:
        rows = self.db.query(
            "SELECT digest FROM resources r WHERE last_used_at < ? AND NOT EXISTS"
            " (SELECT 1 FROM recording_resources x WHERE x.digest = r.digest) ORDER BY digest LIMIT ?",
            (now - UNREFERENCED_GRACE_MS, limit),
        )
        return [resource_blob_key(str(r["digest"])) for r in rows]

    def forget(self, key: str) -> None:
        if not key.startswith(RESOURCE_PREFIX):
            return
        digest = key[len(RESOURCE_PREFIX) :]
        with self.db.write() as tx:
            # Lock the copy's row (PostgreSQL): a capture that marks it used again (save_resource, finish)
            # waits for this transaction, so the outcome is that of one running wholly before the other.
            tx.lock("resources", "digest", digest)
            if tx.one("SELECT 1 AS found FROM recording_resources WHERE digest = ? LIMIT 1", (digest,)):
                return  # referenced again meanwhile: keep it
            tx.run("DELETE FROM resource_links WHERE parent_digest = ?", (digest,))
            tx.run("DELETE FROM resources WHERE digest = ?", (digest,))
