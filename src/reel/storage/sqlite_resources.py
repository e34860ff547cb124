"""Resource store on SQLite, in the session store's database file: one write connection behind a lock."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from reel.storage.keys import RESOURCE_PREFIX, resource_blob_key
from reel.storage.resource_store import (
    UNREFERENCED_GRACE_MS,
    CaptureRow,
    PendingResource,
    RecordingResource,
    ResourceMeta,
    ResourceSettings,
)
from reel.storage.sqlite_db import SqliteDatabase

_ROW_COLUMNS = "app_id, recording_id, url, status, digest, reason, discovered_at, captured_at, attempts"


class SqliteResourceStore(SqliteDatabase):
    """SQLite-backed resource store; `path` is the database file shared with the session store."""

    store_name = "resource store"
    foreign_keys = False
    raise_integrity_errors = False

    # settings

    def settings(self, app_id: str) -> ResourceSettings | None:
        rows = self._read(
            "SELECT origins, allow_private, updated_at FROM resource_settings WHERE app_id = ?", (app_id,)
        )
        if not rows:
            return None
        origins, allow_private, updated_at = rows[0]
        return ResourceSettings(app_id, tuple(orjson.loads(origins)), bool(allow_private), updated_at)

    def save_settings(self, settings: ResourceSettings) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO resource_settings (app_id, origins, allow_private, updated_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (app_id) DO UPDATE SET origins = excluded.origins,"
                " allow_private = excluded.allow_private, updated_at = excluded.updated_at",
                (
                    settings.app_id,
                    orjson.dumps(list(settings.origins)).decode(),
                    int(settings.allow_private),
                    settings.updated_at,
                ),
            )

    # rows

    def enqueue(self, app_id: str, recording_id: str, urls: Sequence[str], now: int) -> int:
        unique = list(dict.fromkeys(urls))
        if not unique:
            return 0
        with self._write() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO recording_resources"
                " (recording_id, url, app_id, status, discovered_at) VALUES (?, ?, ?, 'pending', ?)",
                [(recording_id, url, app_id, now) for url in unique],
            )
            return conn.total_changes - before

    def claim(self, limit: int, now: int, lease_ms: int) -> list[PendingResource]:
        with self._write() as conn:
            rows = list(
                conn.execute(
                    "SELECT app_id, recording_id, url, discovered_at, attempts FROM recording_resources"
                    " WHERE status = 'pending' AND claimed_at <= ?"
                    " ORDER BY claimed_at, discovered_at, url LIMIT ?",
                    (now - lease_ms, limit),
                )
            )
            conn.executemany(
                "UPDATE recording_resources SET claimed_at = ? WHERE recording_id = ? AND url = ?",
                [(now, r[1], r[2]) for r in rows],
            )
        return [PendingResource(*r) for r in rows]

    def save_resource(self, meta: ResourceMeta, links: Sequence[tuple[str, str]], now: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO resources (digest, content_type, size, created_at, last_used_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE"
                " SET last_used_at = MAX(last_used_at, excluded.last_used_at)",
                (meta.digest, meta.content_type, meta.size, meta.created_at, now),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO resource_links (parent_digest, url, child_digest) VALUES (?, ?, ?)",
                [(meta.digest, url, child) for url, child in links],
            )

    def resource(self, digest: str) -> ResourceMeta | None:
        rows = self._read(
            "SELECT digest, content_type, size, created_at FROM resources WHERE digest = ?", (digest,)
        )
        return ResourceMeta(*rows[0]) if rows else None

    def links(self, digest: str) -> list[tuple[str, str]]:
        rows = self._read(
            "SELECT url, child_digest FROM resource_links WHERE parent_digest = ? ORDER BY url", (digest,)
        )
        return [(url, child) for url, child in rows]

    def finish(self, app_id: str, recording_id: str, rows: Sequence[CaptureRow], now: int) -> None:
        with self._write() as conn:
            for out in rows:
                if out.status == "pending":
                    conn.execute(
                        "UPDATE recording_resources SET attempts = attempts + 1, reason = ?"
                        " WHERE recording_id = ? AND url = ?",
                        (out.reason, recording_id, out.url),
                    )
                    continue
                # A capture already made is not undone by a later failed attempt.
                conn.execute(
                    "INSERT INTO recording_resources (recording_id, url, app_id, status, digest, reason,"
                    " discovered_at, captured_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)"
                    " ON CONFLICT (recording_id, url) DO UPDATE SET status = excluded.status,"
                    " digest = excluded.digest, reason = excluded.reason, captured_at = excluded.captured_at,"
                    " attempts = recording_resources.attempts + 1"
                    " WHERE recording_resources.status != 'captured' OR excluded.status = 'captured'",
                    (recording_id, out.url, app_id, out.status, out.digest, out.reason, now, now),
                )
                if out.digest is not None:
                    conn.execute(
                        "UPDATE resources SET last_used_at = MAX(last_used_at, ?) WHERE digest = ?",
                        (now, out.digest),
                    )

    def recent_capture(self, app_id: str, url: str, since: int) -> str | None:
        rows = self._read(
            "SELECT digest FROM recording_resources WHERE app_id = ? AND url = ? AND status = 'captured'"
            " AND captured_at >= ? ORDER BY captured_at DESC LIMIT 1",
            (app_id, url, since),
        )
        return str(rows[0][0]) if rows else None

    def captured(self, recording_id: str) -> dict[str, str]:
        rows = self._read(
            "SELECT url, digest FROM recording_resources WHERE recording_id = ? AND status = 'captured'"
            " AND digest IS NOT NULL",
            (recording_id,),
        )
        return {url: digest for url, digest in rows}

    def rows(self, recording_id: str) -> list[RecordingResource]:
        rows = self._read(
            f"SELECT {_ROW_COLUMNS} FROM recording_resources WHERE recording_id = ? ORDER BY url",
            (recording_id,),
        )
        return [RecordingResource(*r) for r in rows]

    def visible(self, digest: str, app_ids: tuple[str, ...] | None) -> bool:
        if app_ids is None:
            rows = self._read("SELECT 1 FROM recording_resources WHERE digest = ? LIMIT 1", (digest,))
        elif not app_ids:
            return False
        else:
            marks = ", ".join("?" for _ in app_ids)
            rows = self._read(
                f"SELECT 1 FROM recording_resources WHERE digest = ? AND app_id IN ({marks}) LIMIT 1",
                (digest, *app_ids),
            )
        return bool(rows)

    # the purge's ResourceRefs

    def release(self, recording_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM recording_resources WHERE recording_id = ?", (recording_id,))

    def unreferenced(self, now: int, limit: int) -> list[str]:
        rows = self._read(
            "SELECT digest FROM resources r WHERE last_used_at < ? AND NOT EXISTS"
            " (SELECT 1 FROM recording_resources x WHERE x.digest = r.digest) ORDER BY digest LIMIT ?",
            (now - UNREFERENCED_GRACE_MS, limit),
        )
        return [resource_blob_key(str(r[0])) for r in rows]

    def forget(self, key: str) -> None:
        if not key.startswith(RESOURCE_PREFIX):
            return
        digest = key[len(RESOURCE_PREFIX) :]
        with self._write() as conn:
            held = conn.execute("SELECT 1 FROM recording_resources WHERE digest = ? LIMIT 1", (digest,))
            if held.fetchone() is not None:
                return  # referenced again meanwhile: keep it
            conn.execute("DELETE FROM resource_links WHERE parent_digest = ?", (digest,))
            conn.execute("DELETE FROM resources WHERE digest = ?", (digest,))
