"""`reel backup DEST` and `reel restore SRC`: the embedded store (SQLite + blob files), while Reel runs.

The database is copied with SQLite's online backup API (a consistent snapshot while writers go on); the
blob folder around it in two passes: every blob present before the snapshot, then every blob added
while it was taken. Ingest writes a blob before the row that names it, so every row of the snapshot
finds its blob in the copy. A blob copy goes through a temporary name, so a crash never leaves half a
file under a real key. PostgreSQL and object stores are backed up with their own tools (docs/deployment.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import click

from reel.cli.common import settings_from_options, store_options
from reel.config import Settings
from reel.storage.file_blobs import fsync_path
from reel.storage.urls import local_path, scheme_of

DATABASE = "reel.sqlite3"
BLOBS = "blobs"
_TMP_SUFFIX = ".tmp"  # the replay store's own temporary files (reel.storage.file_blobs) are skipped


@dataclass(frozen=True)
class BackupReport:
    """What a backup or restore copied."""

    database_bytes: int
    blobs: int
    blob_bytes: int


def embedded_paths(settings: Settings) -> tuple[Path, Path]:
    """The SQLite file and the blob folder; click.UsageError for another backend."""
    database_url, blob_url = settings.resolved_database_url, settings.resolved_blob_url
    if scheme_of(database_url) != "sqlite" or scheme_of(blob_url) != "file":
        raise click.UsageError(
            "reel backup copies the embedded store (SQLite and files); back up PostgreSQL and object "
            "storage with their own tools (docs/deployment.md)"
        )
    return Path(local_path(database_url)), Path(local_path(blob_url))


def copy_database(source: Path, target: Path) -> int:
    """A consistent copy of the SQLite database `source` (live writers allowed) at `target`."""
    if not source.is_file():
        raise click.ClickException(f"no database at {source}: is this the data directory Reel uses?")
    partial = target.with_name(target.name + _TMP_SUFFIX)
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    fsync_path(partial)
    os.replace(partial, target)
    return target.stat().st_size


def copy_blobs(source: Path, target: Path, seen: set[str]) -> tuple[int, int]:
    """Copy every blob under `source` not in `seen` (relative keys, updated); (count, bytes) copied."""
    count = size = 0
    if not source.is_dir():
        return count, size
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.endswith(_TMP_SUFFIX):
            continue
        key = path.relative_to(source).as_posix()
        if key in seen:
            continue
        dest = target / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}{_TMP_SUFFIX}")
        try:
            shutil.copyfile(path, partial)
        except FileNotFoundError:
            continue  # deleted by the purge meanwhile: no row of a later snapshot names it
        fsync_path(partial)
        os.replace(partial, dest)
        seen.add(key)
        count += 1
        size += dest.stat().st_size
    return count, size


def backup(settings: Settings, dest: Path) -> BackupReport:
    """Back up the embedded store named by `settings` into the empty or new folder `dest`."""
    database, blobs = embedded_paths(settings)
    if dest.exists() and any(dest.iterdir()):
        raise click.ClickException(f"{dest} is not empty: back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    first = copy_blobs(blobs, dest / BLOBS, seen)
    database_bytes = copy_database(database, dest / DATABASE)
    second = copy_blobs(blobs, dest / BLOBS, seen)
    return BackupReport(database_bytes, first[0] + second[0], first[1] + second[1])


def restore(settings: Settings, source: Path) -> BackupReport:
    """Restore a backup folder into the (stopped) embedded store named by `settings`, which must be empty."""
    database, blobs = embedded_paths(settings)
    if not (source / DATABASE).is_file():
        raise click.ClickException(f"{source} holds no {DATABASE}: not a folder written by reel backup")
    if database.exists() or (blobs.is_dir() and any(blobs.iterdir())):
        raise click.ClickException(
            f"{database.parent} already holds a store: restore into a new data directory (stop Reel, "
            "point REEL_DATA_DIR at it, start Reel)"
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    database_bytes = copy_database(source / DATABASE, database)
    count, size = copy_blobs(source / BLOBS, blobs, set())
    return BackupReport(database_bytes, count, size)


def _describe(report: BackupReport) -> str:
    return f"database {report.database_bytes:,} bytes, {report.blobs:,} blobs ({report.blob_bytes:,} bytes)"


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@store_options
def backup_command(dest: Path, **options: object) -> None:
    """Copy the embedded store (database and blobs) into the new folder DEST, while Reel runs."""
    report = backup(settings_from_options(options), dest)
    click.echo(f"Backed up to {dest.resolve()}: {_describe(report)}")


@click.command("restore")
@click.argument("source", type=click.Path(file_okay=False, exists=True, path_type=Path))
@store_options
def restore_command(source: Path, **options: object) -> None:
    """Restore a folder written by `reel backup` into a new data directory (Reel stopped)."""
    settings = settings_from_options(options)
    report = restore(settings, source)
    click.echo(f"Restored into {settings.data_dir.resolve()}: {_describe(report)}")
