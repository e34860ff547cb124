"""Options and helpers shared by `reel` commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reel.clock import Clock, SystemClock
from reel.config import Settings, settings_from_env
from reel.storage.factory import open_session_store
from reel.storage.session_store import SessionStore

F = TypeVar("F", bound=Callable[..., Any])


def store_options(func: F) -> F:
    """Add --data-dir and --database-url, which default to REEL_DATA_DIR / REEL_DATABASE_URL."""
    func = click.option("--database-url", default=None, help="Session store URL (REEL_DATABASE_URL).")(func)
    func = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data directory (REEL_DATA_DIR; default .reel-data).",
    )(func)
    return func


def settings_from_options(options: dict[str, object]) -> Settings:
    """Settings from the environment, overridden by the command-line options given."""
    return settings_from_env().with_overrides(
        data_dir=options.get("data_dir"), database_url=options.get("database_url")
    )


def open_stores_from_options(options: dict[str, object]) -> tuple[Settings, SessionStore, Clock]:
    """Settings, the session store they name, and the system clock."""
    settings = settings_from_options(options)
    return settings, open_session_store(settings.resolved_database_url), SystemClock()
