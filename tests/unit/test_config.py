"""Settings: how store URLs are shown to people."""

from __future__ import annotations

from pathlib import Path

from reel.config import Settings, shown_url


def test_store_urls_are_shown_without_their_secrets() -> None:
    assert shown_url("postgresql://reel:hunter2@db:5432/reel?sslmode=require") == (
        "postgresql://reel:***@db:5432/reel?sslmode=require"
    )
    shown = shown_url("s3://b/p?endpoint=http%3A%2F%2Fminio%3A9000&access_key_id=AK&secret_access_key=SK")
    assert "SK" not in shown and "AK" not in shown and "endpoint=http://minio:9000" in shown
    assert shown_url("postgresql://reel@db/reel") == "postgresql://reel@db/reel"


def test_stores_are_described_by_data_directory_or_by_urls(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).stores_described == str(tmp_path.resolve())
    both = Settings(data_dir=tmp_path, database_url="postgresql://u:pw@h/db", blob_url="s3://b?region=r")
    assert both.stores_described == "postgresql://u:***@h/db and s3://b?region=r"
