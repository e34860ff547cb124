"""Deletion requests (GDPR): one session or every session of a user, idempotent and audited.

A request deletes whole recordings (see reel.storage.retention_store): every part of a split session
and every session recorded in the same tab go together, because they share replay data. The audit
entry is written in the same transaction as the tombstones; the blobs go right after, and if that fails
the deletion stays pending and the purge job (or the request repeated) completes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from reel.errors import BadRequest, NotFound
from reel.retention.purge import finish_pending
from reel.runtime.metrics import count_deleted
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_refs import NoResources, ResourceRefs
from reel.storage.retention_store import AuditEntry, Deleted, Tombstone
from reel.storage.session_store import SessionStore


@dataclass(frozen=True)
class Actor:
    """Who asks for a deletion: an operator (by name and id) or the command line."""

    name: str
    id: str
    app_ids: tuple[str, ...] | None = None
    """The applications the actor may see; None means every application."""

    def can_see(self, app_id: str) -> bool:
        """True if the actor may see (and so delete in) this application."""
        return self.app_ids is None or app_id in self.app_ids


@dataclass(frozen=True)
class DeletionOutcome:
    """What a request deleted now (nothing when repeated) and its audit entry."""

    sessions: tuple[str, ...]
    recordings: int
    audit_id: int | None
    already: Tombstone | None = None
    """For a session deleted earlier: its tombstone."""


def user_reference(user_id: str) -> str:
    """How the audit log names a user: a hash, so the log does not keep the identifier it deleted."""
    return "user sha256:" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:16]


def _outcome(deleted: Deleted) -> DeletionOutcome:
    count_deleted("request", len(deleted.recordings), len(deleted.tombstones))
    return DeletionOutcome(
        tuple(t.session_id for t in deleted.tombstones), len(deleted.recordings), deleted.audit_id
    )


def delete_session(
    sessions: SessionStore,
    blobs: ReplayStore,
    session_id: str,
    actor: Actor,
    now: int,
    resources: ResourceRefs | None = None,
) -> DeletionOutcome:
    """Delete a session's recording; a session already deleted answers its tombstone; unknown → NotFound."""
    refs = resources if resources is not None else NoResources()
    session = sessions.session(session_id)
    if session is None or not actor.can_see(session.app_id):
        tombstone = sessions.tombstone(session_id)
        if tombstone is None or not actor.can_see(tombstone.app_id):
            raise NotFound("no such session")
        audit = AuditEntry(
            now, actor.name, actor.id, "session.delete", tombstone.app_id, f"session {session_id}"
        )
        entry = sessions.append_audit(audit)
        finish_pending(sessions, blobs, refs)  # a repeated request also completes what failed before
        return DeletionOutcome((), 0, entry.id, tombstone)
    audit = AuditEntry(now, actor.name, actor.id, "session.delete", session.app_id, f"session {session_id}")
    deleted = sessions.delete_recordings([session.recording_id], cause="request", now=now, audit=audit)
    finish_pending(sessions, blobs, refs)
    return _outcome(deleted)


def delete_user(
    sessions: SessionStore,
    blobs: ReplayStore,
    user_id: str,
    actor: Actor,
    now: int,
    *,
    app_id: str | None = None,
    resources: ResourceRefs | None = None,
) -> DeletionOutcome:
    """Delete every recording in which a session is identified as `user_id`, across splits and apps."""
    if not user_id or len(user_id) > 200:
        raise BadRequest("user_id must be 1-200 characters", field="user_id")
    scope = actor.app_ids
    if app_id is not None:
        if not actor.can_see(app_id) or sessions.application(app_id) is None:
            raise NotFound("no such application")
        scope = (app_id,)
    refs = resources if resources is not None else NoResources()
    recordings = sessions.recordings_of_user(scope, user_id)
    audit = AuditEntry(now, actor.name, actor.id, "user.delete", app_id, user_reference(user_id))
    deleted = sessions.delete_recordings(recordings, cause="request", now=now, audit=audit)
    finish_pending(sessions, blobs, refs)
    return _outcome(deleted)
