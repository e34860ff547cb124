"""PostgreSQL + S3 for the benchmarks: the URLs given in the environment, or a throwaway cluster and an S3
API server started here, as the tests start them (tests/local_services.py).

REEL_BENCH_DATABASE_URL (postgresql://…) and REEL_BENCH_BLOB_URL (an S3 replay store URL) name servers
of your own; without them a PostgreSQL cluster that fsyncs its commits (as a production one does) and
moto's S3 server are started on free loopback ports and removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from local_services import postgres_server, s3_server


@dataclass(frozen=True)
class PostgresS3:
    """Where Reel's session store and replay store live, and what they are."""

    database_url: str
    blob_url: str
    described: str

    def fresh(self) -> PostgresS3:
        """Another empty database and bucket prefix on the same servers (for one more Reel on them)."""
        return PostgresS3(new_database(self.database_url), _new_prefix(self.blob_url), self.described)


@contextlib.contextmanager
def postgres_s3() -> Iterator[PostgresS3]:
    """The servers named by the environment, or ones started for the duration of the block."""
    database_url = os.environ.get("REEL_BENCH_DATABASE_URL", "")
    blob_url = os.environ.get("REEL_BENCH_BLOB_URL", "")
    if database_url and blob_url:
        yield PostgresS3(database_url, blob_url, "PostgreSQL and S3 of REEL_BENCH_DATABASE_URL / _BLOB_URL")
        return
    with postgres_server(durable=True) as pg, s3_server() as s3:
        bucket = f"reel-bench-{secrets.token_hex(4)}"
        _create_bucket(s3.endpoint, s3.access_key, s3.secret_key, s3.region, bucket)
        yield PostgresS3(
            pg.url(),
            s3.store_url(bucket, "bench"),
            "a throwaway PostgreSQL cluster (fsync on) and moto's S3 server, on loopback",
        )


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """PostgreSQL alone: REEL_BENCH_DATABASE_URL, or a throwaway cluster (fsync on) for the block."""
    given = os.environ.get("REEL_BENCH_DATABASE_URL", "")
    if given:
        yield given
        return
    with postgres_server(durable=True) as pg:
        yield pg.url()


def new_database(url: str) -> str:
    """An empty database beside the one `url` names; its URL."""
    name = f"reel_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    head, _, _tail = url.rpartition("/")
    query = "?" + url.split("?", 1)[1] if "?" in _tail else ""
    return f"{head}/{name}{query}"


def _new_prefix(url: str) -> str:
    """The same bucket under a prefix of its own."""
    head, sep, query = url.partition("?")
    return f"{head.rstrip('/')}/{secrets.token_hex(4)}{sep}{query}"


def _create_bucket(endpoint: str, access_key: str, secret_key: str, region: str, bucket: str) -> None:
    import boto3  # moto's own dependency: only the bench's throwaway server needs it

    boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    ).create_bucket(Bucket=bucket)
