"""Store URLs: relative and absolute SQLite paths, and the data directory's default."""

from __future__ import annotations

from pathlib import Path

import pytest

from reel.config import Settings
from reel.storage.urls import local_path, scheme_of


def test_three_slashes_are_relative_and_four_absolute() -> None:
    assert local_path("sqlite:///data/reel.sqlite3") == "data/reel.sqlite3"
    assert local_path("sqlite:////var/lib/reel/reel.sqlite3") == "/var/lib/reel/reel.sqlite3"
    assert local_path("file:///var/lib/reel/blobs") == "/var/lib/reel/blobs"
    assert scheme_of("memory://") == "memory"


def test_a_relative_data_dir_stays_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=Path(".reel-data/demo"))
    assert Path(local_path(settings.resolved_database_url)) == tmp_path / ".reel-data/demo/reel.sqlite3"
    assert Path(local_path(settings.resolved_blob_url)) == tmp_path / ".reel-data/demo/blobs"


def test_a_url_without_a_path_is_refused() -> None:
    with pytest.raises(ValueError):
        local_path("sqlite://")
