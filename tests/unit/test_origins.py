"""Origin normalisation and the app-key / origin checks."""

from __future__ import annotations

import pytest

from reel.domain.origins import normalise_origin
from reel.domain.records import Application
from reel.errors import Forbidden, Unauthorized
from reel.ingest import origins as origins_module
from reel.ingest.origins import UNKNOWN_KEY_MESSAGE, check_app, check_origin

APP = Application(
    id="app_x",
    name="x",
    app_key="rk-1",
    origins=("https://shop.example", "http://localhost:8701"),
    created_at=0,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Shop.Example", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://localhost:8701/", "http://localhost:8701"),
        ("http://[::1]:80", "http://[::1]"),
        ("ftp://shop.example", None),
        ("null", None),
        ("https://", None),
        ("http://host:99999", None),
    ],
)
def test_normalise_origin(raw: str, expected: str | None) -> None:
    assert normalise_origin(raw) == expected


def test_allowed_origins_pass() -> None:
    assert check_origin(APP, "https://SHOP.example:443") == "https://shop.example"


@pytest.mark.parametrize(
    "origin",
    [None, "", "null", "https://evil.example", "https://shop.example.evil.example", "http://shop.example"],
)
def test_other_origins_are_forbidden(origin: str | None) -> None:
    with pytest.raises(Forbidden):
        check_origin(APP, origin)


def test_unknown_and_disabled_keys_get_the_same_answer() -> None:
    from dataclasses import replace

    with pytest.raises(Unauthorized) as unknown:
        check_app(None)
    with pytest.raises(Unauthorized) as disabled:
        check_app(replace(APP, enabled=False))
    assert unknown.value.to_json() == disabled.value.to_json()
    assert UNKNOWN_KEY_MESSAGE in unknown.value.message


def test_origins_are_parsed_once_but_long_made_up_ones_are_never_kept() -> None:
    kept = origins_module._normalised.cache_info().currsize
    for _ in range(3):
        assert check_origin(APP, "http://localhost:8701") == "http://localhost:8701"
    assert origins_module._normalised.cache_info().currsize <= kept + 1
    for i in range(20):
        with pytest.raises(Forbidden):
            check_origin(APP, f"https://{'a' * 5000}{i}.example")
    assert origins_module._normalised.cache_info().currsize <= kept + 1
