"""Fixtures for the servers tests need (a plugin of tests/conftest.py): one throwaway PostgreSQL cluster
and one S3 API server per test process (each pytest-xdist worker gets its own), a fresh database and a
fresh bucket per test. They start on first use and stop at the end of the run, also when tests fail;
a missing server is an error, never a skip (`make test` installs PostgreSQL; moto comes from PyPI).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from local_services import PostgresServer, S3Server, postgres_server, s3_server
from reel.storage.factory import memory_session_store, open_session_store, sqlite_session_store
from reel.storage.session_store import SessionStore


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster of this test process, in a temporary folder on a free port."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def new_pg_database(pg_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """Make empty databases on the test cluster (URLs); each is dropped when the test ends."""
    made: list[str] = []

    def make() -> str:
        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(pg_server.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        made.append(name)
        return pg_server.url(name)

    yield make
    if made:
        with psycopg.connect(pg_server.url(), autocommit=True) as conn:
            for name in made:
                # FORCE: a store the test did not close must not keep its database alive.
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url(new_pg_database: Callable[[], str]) -> str:
    """The URL of an empty database of its own for this test."""
    return new_pg_database()


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """An S3 API server (moto's server mode) of this test process, on a free port."""
    with s3_server() as server:
        yield server


@dataclass(frozen=True)
class S3Bucket:
    """An empty bucket on the test S3 server."""

    server: S3Server
    name: str

    def url(self, prefix: str = "") -> str:
        """A replay store URL for this bucket (credentials in the URL)."""
        return self.server.store_url(self.name, prefix)


@pytest.fixture(scope="session")
def s3_admin(s3: S3Server) -> Any:
    """A boto3 client of the test S3 server, to make and empty buckets (moto depends on boto3 anyway)."""
    import boto3

    return boto3.session.Session().client(
        "s3",
        endpoint_url=s3.endpoint,
        region_name=s3.region,
        aws_access_key_id=s3.access_key,
        aws_secret_access_key=s3.secret_key,
    )


@pytest.fixture
def s3_bucket(s3: S3Server, s3_admin: Any) -> Iterator[S3Bucket]:
    """A fresh bucket for this test; it and what it holds are removed when the test ends."""
    name = f"reel-test-{secrets.token_hex(6)}"
    s3_admin.create_bucket(Bucket=name)
    yield S3Bucket(s3, name)
    for page in s3_admin.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3_admin.delete_objects(Bucket=name, Delete={"Objects": keys})
    s3_admin.delete_bucket(Bucket=name)


SESSION_BACKENDS = ["memory", "sqlite", "postgres"]
"""Every session store backend, for the contract tests."""


def open_session_backend(request: pytest.FixtureRequest, tmp_path: Path) -> SessionStore:
    """A fresh session store of the backend `request.param` names (PostgreSQL: a database of its own)."""
    if request.param == "memory":
        return memory_session_store()
    if request.param == "sqlite":
        return sqlite_session_store(tmp_path / "db.sqlite3")
    return open_session_store(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def durable_pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster that fsyncs its commits, for the tests that kill Reel and count what stayed."""
    with postgres_server(durable=True) as server:
        yield server


@dataclass(frozen=True)
class Backend:
    """Where a test's Reel processes keep their data: the two store URLs (empty: the data directory)."""

    name: str
    database_url: str = ""
    blob_url: str = ""

    def env(self) -> dict[str, str]:
        """The REEL_* variables that point a `reel` process at these stores."""
        out: dict[str, str] = {}
        if self.database_url:
            out["REEL_DATABASE_URL"] = self.database_url
        if self.blob_url:
            out["REEL_BLOB_URL"] = self.blob_url
        return out


@pytest.fixture(params=["embedded", "postgres-s3"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The embedded default (SQLite and files in the data directory), then PostgreSQL and S3 (durable
    PostgreSQL: commits reach its disk, as in production)."""
    if request.param == "embedded":
        return Backend("embedded")
    server: PostgresServer = request.getfixturevalue("durable_pg_server")
    name = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    bucket: S3Bucket = request.getfixturevalue("s3_bucket")
    return Backend("postgres-s3", server.url(name), bucket.server.store_url(bucket.name, "reel"))
