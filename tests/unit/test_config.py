"""Settings: how store URLs are shown to people; REEL_* variables read through one pydantic model."""

from __future__ import annotations

from pathlib import Path

import pytest

from reel.config import EnvSettings, Settings, settings_from_env, shown_url
from reel.config_reference import ENVIRONMENT


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


def test_every_reel_variable_is_read_through_the_settings_model() -> None:
    """One list: the pydantic model reads exactly the variables the configuration reference documents."""
    aliases = {f.alias for f in EnvSettings.model_fields.values()}
    assert aliases == {entry.name for entry in ENVIRONMENT}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REEL_PORT", "eighty"),
        ("REEL_PORT", "70000"),
        ("REEL_BEACONS_PER_SECOND", "-1"),
        ("REEL_BEACON_BURST", "lots"),
        ("REEL_SPLIT_AFTER_ACTIONS", "0"),
        ("REEL_DRAIN_SECONDS", "soon"),
        ("REEL_SERVE_WORK", "perhaps"),
    ],
)
def test_a_bad_number_or_switch_is_refused_naming_its_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}: '{value}'"):
        settings_from_env({name: value})


def test_variables_are_read_with_their_types() -> None:
    settings = settings_from_env(
        {
            "REEL_PORT": "9000",
            "REEL_BEACONS_PER_SECOND": "0",
            "REEL_BEACON_BURST": "5",
            "REEL_SPLIT_AFTER_ACTIONS": "3",
            "REEL_DRAIN_SECONDS": "0.5",
            "REEL_SERVE_WORK": "off",
            "REEL_FRAME_ANCESTORS": "http://localhost:8888, https://*.notebook.test",
            "REEL_TRUSTED_PROXIES": "10.0.0.0/8 ::1",
            "REEL_DATA_DIR": "/srv/reel",
            "OTHER": "ignored",
        }
    )
    assert (settings.port, settings.limits.beacons_per_second, settings.limits.beacon_burst) == (9000, 0, 5)
    assert (settings.sessions.split_after_actions, settings.drain_seconds, settings.serve_work) == (
        3,
        0.5,
        False,
    )
    assert settings.frame_ancestors == ("http://localhost:8888", "https://*.notebook.test")
    assert settings.trusted_proxies == ("10.0.0.0/8", "::1")
    assert settings.data_dir == Path("/srv/reel")
    assert settings_from_env({}) == Settings()
