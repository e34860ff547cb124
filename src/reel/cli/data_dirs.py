"""Which data directory a command uses, and a loud warning when `reel serve` starts on an empty one.

Every `reel` command reads the same settings (REEL_DATA_DIR or --data-dir, default `.reel-data` in the
working directory). A server started with another directory than the one `reel apps create` and
`reel users create` wrote to starts on an empty store, and every app key and token answers 401: the
warning names the directory that has them, before anyone has to guess why.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reel.config import Settings, shown_url
from reel.storage.urls import local_path, scheme_of

DATABASE_FILE = "reel.sqlite3"
# Where people put Reel's data: the default in the working directory, and the deployment guide's place.
WELL_KNOWN_DIRS = (Path(".reel-data"), Path("/var/lib/reel"))


@dataclass(frozen=True)
class StoreContents:
    """How many applications and operators a store holds."""

    applications: int
    operators: int

    @property
    def empty(self) -> bool:
        return self.applications == 0 and self.operators == 0

    def describe(self) -> str:
        apps = f"{self.applications} application{'s' if self.applications != 1 else ''}"
        ops = f"{self.operators} operator{'s' if self.operators != 1 else ''}"
        return f"{apps} and {ops}"


def peek_data_dir(data_dir: Path) -> StoreContents | None:
    """What the embedded store in `data_dir` holds, read without changing it; None when there is none."""
    database = data_dir / DATABASE_FILE
    if not database.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        apps = conn.execute("SELECT COUNT(*) FROM applications").fetchone()[0]
        operators = conn.execute("SELECT COUNT(*) FROM operators").fetchone()[0]
    except sqlite3.Error:  # not Reel's database, or one from before operators existed
        return None
    finally:
        conn.close()
    return StoreContents(int(apps), int(operators))


def other_data_dirs(settings: Settings, env_data_dir: str | None) -> list[Path]:
    """Directories someone may have meant instead of the one in use: REEL_DATA_DIR when an option
    overrode it, `.reel-data` here, /var/lib/reel."""
    candidates = [Path(env_data_dir)] if env_data_dir else []
    candidates += list(WELL_KNOWN_DIRS)
    in_use = settings.data_dir.resolve()
    seen: set[Path] = set()
    found = []
    for path in candidates:
        resolved = path.resolve()
        if resolved != in_use and resolved not in seen:
            seen.add(resolved)
            found.append(resolved)
    return found


def empty_store_warning(settings: Settings, contents: StoreContents, env_data_dir: str | None) -> str | None:
    """The warning `reel serve` prints when its store has no applications and no operators; None when
    it has some. Names another data directory that has them, if one of the usual places does."""
    if not contents.empty:
        return None
    if settings.database_url:  # a database of its own: no data directory to mix up
        return (
            f"WARNING: the store at {shown_url(settings.resolved_database_url)} has no applications and no "
            "operators:\n  every app key and API token will be refused (401), and nobody can log in.\n"
            "  Create them with the same REEL_DATABASE_URL: reel apps create ... and reel users create ..."
        )
    where = settings.data_dir.resolve()
    lines = [f"WARNING: the store in {where} has no applications and no operators:"]
    lines.append("  every app key and API token will be refused (401), and nobody can log in.")
    for other in other_data_dirs(settings, env_data_dir):
        found = peek_data_dir(other)
        if found is not None and not found.empty:
            lines.append(f"  {other} has {found.describe()}: did you mean --data-dir {other}")
            lines.append(f"  (or REEL_DATA_DIR={other}, the same for every reel command)?")
            break
    else:
        lines.append(
            f"  Create them with the same data directory: REEL_DATA_DIR={where} reel apps create ... "
            "and reel users create ..."
        )
    return "\n".join(lines)


def local_folders(settings: Settings) -> list[tuple[str, Path]]:
    """The folders the embedded stores write to (the database's, the replay blobs'), with what each holds."""
    folders: list[tuple[str, Path]] = []
    if scheme_of(settings.resolved_database_url) == "sqlite":
        path = local_path(settings.resolved_database_url)
        if path != ":memory:":
            folders.append(("database", Path(path).parent))
    if scheme_of(settings.resolved_blob_url) == "file":
        folders.append(("replay data", Path(local_path(settings.resolved_blob_url))))
    return folders


def unwritable_folder(settings: Settings) -> str | None:
    """Why `reel serve` could not store anything in its folders (one line), or None when it can.

    Checked by making each folder and a file in it, as the stores will: a read-only data directory is
    one clear message instead of a traceback from deep inside SQLite.
    """
    for what, folder in local_folders(settings):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return f"cannot write the {what} under {folder}: {reason} (--data-dir or REEL_DATA_DIR)"
    return None
