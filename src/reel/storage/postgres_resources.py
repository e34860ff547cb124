"""Resource store on PostgreSQL, in the session store's database. Several workers may claim at once:
a claim skips rows another transaction holds (FOR UPDATE SKIP LOCKED), so no row goes to two workers."""

from __future__ import annotations

from collections.abc import Sequence

from reel.storage.keys import RESOURCE_PREFIX, resource_blob_key
from reel.storage.postgres_db import PostgresDatabase
from reel.storage.resource_store import (
    UNREFERENCED_GRACE_MS,
    CaptureRow,
    PendingResource,
    RecordingResource,
    ResourceMeta,
    ResourceSettings,
)

_ROW_COLUMNS = "app_id, recording_id, url, status, digest, reason, discovered_at, captured_at, attempts"


class PostgresResourceStore(PostgresDatabase):
    """PostgreSQL-backed resource store; `url` is the session store's database."""

    store_name = "resource store"
    raise_integrity_errors = False

    # settings

    def settings(self, app_id: str) -> ResourceSettings | None:
        rows = self._read(
            "SELECT origins, allow_private, updated_at FROM resource_settings WHERE app_id = %s", (app_id,)
        )
        if not rows:
            return None
        origins, allow_private, updated_at = rows[0]
        return ResourceSettings(app_id, tuple(origins), bool(allow_private), updated_at)

    def save_settings(self, settings: ResourceSettings) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO resource_settings (app_id, origins, allow_private, updated_at)"
                " VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (app_id) DO UPDATE SET origins = excluded.origins,"
                " allow_private = excluded.allow_private, updated_at = excluded.updated_at",
                (settings.app_id, list(settings.origins), settings.allow_private, settings.updated_at),
            )

    # rows

    def enqueue(self, app_id: str, recording_id: str, urls: Sequence[str], now: int) -> int:
        unique = list(dict.fromkeys(urls))
        if not unique:
            return 0
        with self._write() as conn:
            return conn.execute(
                "INSERT INTO recording_resources (recording_id, url, app_id, status, discovered_at)"
                " SELECT %s, u, %s, 'pending', %s FROM unnest(%s::text[]) AS u"
                " ON CONFLICT (recording_id, url) DO NOTHING",
                (recording_id, app_id, now, unique),
            ).rowcount

    def claim(self, limit: int, now: int, lease_ms: int) -> list[PendingResource]:
        with self._write() as conn:
            rows = conn.execute(
                "WITH picked AS (SELECT recording_id, url, claimed_at FROM recording_resources"
                " WHERE status = 'pending' AND claimed_at <= %s"
                " ORDER BY claimed_at, discovered_at, url LIMIT %s FOR UPDATE SKIP LOCKED)"
                " UPDATE recording_resources r SET claimed_at = %s FROM picked p"
                " WHERE r.recording_id = p.recording_id AND r.url = p.url"
                " RETURNING p.claimed_at, r.app_id, r.recording_id, r.url, r.discovered_at, r.attempts",
                (now - lease_ms, limit, now),
            ).fetchall()
        # RETURNING has no order: oldest claim first, as the lease query chose them.
        rows.sort(key=lambda r: (r[0], r[4], r[3]))
        return [PendingResource(*r[1:]) for r in rows]

    def save_resource(self, meta: ResourceMeta, links: Sequence[tuple[str, str]], now: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO resources (digest, content_type, size, created_at, last_used_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (digest) DO UPDATE"
                " SET last_used_at = GREATEST(resources.last_used_at, excluded.last_used_at)",
                (meta.digest, meta.content_type, meta.size, meta.created_at, now),
            )
            if links:
                conn.execute(
                    "INSERT INTO resource_links (parent_digest, url, child_digest)"
                    " SELECT %s, u, c FROM unnest(%s::text[], %s::text[]) AS l(u, c)"
                    " ON CONFLICT (parent_digest, url) DO NOTHING",
                    (meta.digest, [url for url, _ in links], [child for _, child in links]),
                )

    def resource(self, digest: str) -> ResourceMeta | None:
        rows = self._read(
            "SELECT digest, content_type, size, created_at FROM resources WHERE digest = %s", (digest,)
        )
        return ResourceMeta(*rows[0]) if rows else None

    def links(self, digest: str) -> list[tuple[str, str]]:
        rows = self._read(
            "SELECT url, child_digest FROM resource_links WHERE parent_digest = %s ORDER BY url", (digest,)
        )
        return [(url, child) for url, child in rows]

    def finish(self, app_id: str, recording_id: str, rows: Sequence[CaptureRow], now: int) -> None:
        with self._write() as conn:
            for out in rows:
                if out.status == "pending":
                    conn.execute(
                        "UPDATE recording_resources SET attempts = attempts + 1, reason = %s"
                        " WHERE recording_id = %s AND url = %s",
                        (out.reason, recording_id, out.url),
                    )
                    continue
                # A capture already made is not undone by a later failed attempt.
                conn.execute(
                    "INSERT INTO recording_resources (recording_id, url, app_id, status, digest, reason,"
                    " discovered_at, captured_at, attempts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1)"
                    " ON CONFLICT (recording_id, url) DO UPDATE SET status = excluded.status,"
                    " digest = excluded.digest, reason = excluded.reason, captured_at = excluded.captured_at,"
                    " attempts = recording_resources.attempts + 1"
                    " WHERE recording_resources.status <> 'captured' OR excluded.status = 'captured'",
                    (recording_id, out.url, app_id, out.status, out.digest, out.reason, now, now),
                )
                if out.digest is not None:
                    conn.execute(
                        "UPDATE resources SET last_used_at = GREATEST(last_used_at, %s) WHERE digest = %s",
                        (now, out.digest),
                    )

    def recent_capture(self, app_id: str, url: str, since: int) -> str | None:
        rows = self._read(
            "SELECT digest FROM recording_resources WHERE app_id = %s AND url = %s AND status = 'captured'"
            " AND captured_at >= %s ORDER BY captured_at DESC LIMIT 1",
            (app_id, url, since),
        )
        return str(rows[0][0]) if rows else None

    def captured(self, recording_id: str) -> dict[str, str]:
        rows = self._read(
            "SELECT url, digest FROM recording_resources WHERE recording_id = %s AND status = 'captured'"
            " AND digest IS NOT NULL",
            (recording_id,),
        )
        return {url: digest for url, digest in rows}

    def rows(self, recording_id: str) -> list[RecordingResource]:
        rows = self._read(
            f"SELECT {_ROW_COLUMNS} FROM recording_resources WHERE recording_id = %s ORDER BY url",
            (recording_id,),
        )
        return [RecordingResource(*r) for r in rows]

    def visible(self, digest: str, app_ids: tuple[str, ...] | None) -> bool:
        if app_ids is None:
            rows = self._read("SELECT 1 FROM recording_resources WHERE digest = %s LIMIT 1", (digest,))
        elif not app_ids:
            return False
        else:
            rows = self._read(
                "SELECT 1 FROM recording_resources WHERE digest = %s AND app_id = ANY(%s::text[]) LIMIT 1",
                (digest, list(app_ids)),
            )
        return bool(rows)

    # the purge's ResourceRefs

    def release(self, recording_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM recording_resources WHERE recording_id = %s", (recording_id,))

    def unreferenced(self, now: int, limit: int) -> list[str]:
        rows = self._read(
            "SELECT digest FROM resources r WHERE last_used_at < %s AND NOT EXISTS"
            " (SELECT 1 FROM recording_resources x WHERE x.digest = r.digest) ORDER BY digest LIMIT %s",
            (now - UNREFERENCED_GRACE_MS, limit),
        )
        return [resource_blob_key(str(r[0])) for r in rows]

    def forget(self, key: str) -> None:
        if not key.startswith(RESOURCE_PREFIX):
            return
        digest = key[len(RESOURCE_PREFIX) :]
        with self._write() as conn:
            # Lock the copy's row: a capture that marks it used again (save_resource, finish) waits for
            # this transaction, so the outcome is that of one running wholly before the other.
            conn.execute("SELECT 1 FROM resources WHERE digest = %s FOR UPDATE", (digest,))
            held = conn.execute("SELECT 1 FROM recording_resources WHERE digest = %s LIMIT 1", (digest,))
            if held.fetchone() is not None:
                return  # referenced again meanwhile: keep it
            conn.execute("DELETE FROM resource_links WHERE parent_digest = %s", (digest,))
            conn.execute("DELETE FROM resources WHERE digest = %s", (digest,))
