"""`reel purge` and `reel delete`: retention and deletion requests from the command line."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
import orjson

from reel.cli.common import open_stores_from_options, store_options
from reel.clock import Clock
from reel.errors import ReelError
from reel.retention.deletion import Actor, DeletionOutcome, delete_session, delete_user
from reel.retention.messages import day, tombstone_message
from reel.retention.purge import plan_purge, purge
from reel.storage.factory import open_replay_store, open_resource_store
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_store import ResourceStore
from reel.storage.session_store import SessionStore


@dataclass(frozen=True)
class _Stores:
    sessions: SessionStore
    blobs: ReplayStore
    resources: ResourceStore
    clock: Clock


@contextmanager
def _stores(options: dict[str, object]) -> Iterator[_Stores]:
    settings, sessions, clock = open_stores_from_options(options)
    try:
        resources = open_resource_store(settings.resolved_database_url)
    except BaseException:
        sessions.close()
        raise
    try:
        yield _Stores(sessions, open_replay_store(settings.resolved_blob_url), resources, clock)
    finally:
        resources.close()
        sessions.close()


def _cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (a container without passwd entry)
        who = "unknown"
    return Actor(f"cli:{who}", "cli")


def size_text(n: int) -> str:
    """Bytes for people: 512 B, 3.4 MiB."""
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@store_options
def purge_command(dry_run: bool, **options: object) -> None:
    """Delete replay data past each application's retention (also done hourly by `reel serve`)."""
    with _stores(options) as stores:
        now = stores.clock.now_ms()
        expired = plan_purge(stores.sessions, now)
        pending = stores.sessions.pending_deletions(1_000_000)
        if dry_run:
            for e in expired:
                click.echo(
                    f"{e.recording_id}\t{e.app_id}\t{e.sessions} sessions\t{size_text(e.stored_bytes)}\t"
                    f"last beacon {day(e.last_received_at)}\t{e.retention_days}-day retention"
                )
            total = sum(e.stored_bytes for e in expired)
            click.echo(
                f"Would delete {len(expired)} recordings ({sum(e.sessions for e in expired)} sessions, "
                f"{size_text(total)}) and complete {len(pending)} unfinished deletions."
            )
            return
        with click.progressbar(length=len(expired), label="Purging", show_pos=True) as bar:
            report = purge(
                stores.sessions, stores.blobs, now, resources=stores.resources, progress=bar.update
            )
    click.echo(
        f"Deleted {report.recordings} recordings ({report.sessions} sessions, {report.blobs} blobs), "
        f"completed {report.resumed} unfinished deletions, {report.resources} unused resources."
    )


@click.command("delete")
@click.option("--session", "session_id", default=None, help="Delete this session (and its recording).")
@click.option("--user", "user_id", default=None, help="Delete every session identified as this user.")
@click.option("--app", "app_id", default=None, help="With --user: only in this application.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@store_options
def delete_command(
    session_id: str | None, user_id: str | None, app_id: str | None, as_json: bool, **options: object
) -> None:
    """Delete a session or a user's sessions (GDPR); idempotent and audited."""
    if (session_id is None) == (user_id is None):
        raise click.UsageError("give exactly one of --session and --user")
    if app_id is not None and user_id is None:
        raise click.UsageError("--app goes with --user")
    with _stores(options) as stores:
        now = stores.clock.now_ms()
        sessions, blobs, resources = stores.sessions, stores.blobs, stores.resources
        try:
            if session_id is not None:
                outcome = delete_session(sessions, blobs, session_id, _cli_actor(), now, resources)
            else:
                outcome = delete_user(
                    sessions, blobs, user_id or "", _cli_actor(), now, app_id=app_id, resources=resources
                )
        except ReelError as exc:
            raise click.ClickException(exc.message) from None
    _report(outcome, as_json)


def _report(outcome: DeletionOutcome, as_json: bool) -> None:
    if as_json:
        doc = {
            "sessions": list(outcome.sessions),
            "recordings": outcome.recordings,
            "audit_id": outcome.audit_id,
        }
        click.echo(orjson.dumps(doc).decode())
    elif outcome.already is not None:
        click.echo(f"Already deleted. {tombstone_message(outcome.already)}")
    else:
        click.echo(f"Deleted {len(outcome.sessions)} sessions in {outcome.recordings} recordings.")
