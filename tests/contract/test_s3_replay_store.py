"""The S3 replay store beyond the shared contract: its URL, credentials from the environment, listings
longer than one S3 page — on a real S3 API server (moto's server mode)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from local_services import S3Server
from reel.storage.s3_blobs import S3Location, S3ReplayStore, parse_s3_url
from services import S3Bucket


def test_the_url_names_bucket_prefix_endpoint_and_region() -> None:
    location = parse_s3_url(
        "s3://replays/prod/reel?endpoint=https%3A%2F%2Fminio.internal%3A9000&region=eu-west-1"
        "&access_key_id=AK&secret_access_key=SK&virtual_hosted_style=true"
    )
    assert location == S3Location(
        bucket="replays",
        prefix="prod/reel",
        endpoint="https://minio.internal:9000",
        region="eu-west-1",
        access_key_id="AK",
        secret_access_key="SK",
        virtual_hosted_style=True,
    )
    assert parse_s3_url("s3://replays") == S3Location(bucket="replays")
    assert parse_s3_url("s3://replays/").prefix == ""


@pytest.mark.parametrize(
    "url",
    [
        "s3:///prefix",  # no bucket
        "file:///tmp/x",
        "s3://replays/p?endpoint=http://x&acces_key=typo",  # a misspelt setting is refused, not ignored
        "s3://replays/../escape",
        "s3://replays/a//b",
    ],
)
def test_a_bad_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_s3_url(url)


def test_the_secret_never_shows_in_a_repr() -> None:
    location = parse_s3_url("s3://replays/p?access_key_id=AK&secret_access_key=very-secret-key")
    assert "very-secret-key" not in repr(location)


def test_credentials_and_endpoint_may_come_from_the_aws_environment(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = s3_bucket.server
    for name, value in {
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
        "AWS_REGION": server.region,
        "AWS_ENDPOINT_URL": server.endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    store = S3ReplayStore.from_url(f"s3://{s3_bucket.name}/from-env")
    store.put("a/1", b"env")
    assert store.get("a/1") == b"env"
    # The same object, reached with the settings in the URL instead.
    assert S3ReplayStore.from_url(s3_bucket.url("from-env")).get("a/1") == b"env"


def test_listing_reads_every_page_in_order(s3_bucket: S3Bucket) -> None:
    # S3 lists at most 1,000 keys per request: a recording with more blobs spans pages.
    store = S3ReplayStore.from_url(s3_bucket.url("reel"))
    expected = [f"r30d/app_a/rec-1/{n:010d}-x" for n in range(1003)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: store.put(key, b""), [*expected, "r30d/app_a/rec-10/0000000000-x"]))
    assert list(store.keys("r30d/app_a/rec-1/")) == expected
    assert list(store.keys("r30d/app_a/rec-1"))[-1] == "r30d/app_a/rec-10/0000000000-x"
    assert len(list(store.keys(""))) == 1004


def test_a_prefix_keeps_stores_apart_in_one_bucket(s3_bucket: S3Bucket) -> None:
    one = S3ReplayStore.from_url(s3_bucket.url("one"))
    two = S3ReplayStore.from_url(s3_bucket.url("two"))
    root = S3ReplayStore.from_url(s3_bucket.url())
    one.put("k/1", b"1")
    two.put("k/1", b"2")
    assert (one.get("k/1"), two.get("k/1")) == (b"1", b"2")
    assert list(one.keys()) == ["k/1"]
    assert list(root.keys()) == ["one/k/1", "two/k/1"]
    one.delete("k/1")
    assert two.get("k/1") == b"2"


def test_a_large_blob_round_trips(s3: S3Server, s3_bucket: S3Bucket) -> None:
    store = S3ReplayStore.from_url(s3_bucket.url("big"))
    data = bytes(range(256)) * (24 * 1024)  # 6 MiB: above S3's multipart threshold, sent as one PUT
    store.put("seg/1", data)
    assert store.get("seg/1") == data
    assert store.get_range("seg/1", 5 * 1024 * 1024, 5 * 1024 * 1024 + 3) == data[5 * 1024 * 1024 :][:3]
