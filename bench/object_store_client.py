"""Object store client: boto3 against obstore on the same S3 API server (moto), in one run.

Measures what the replay store does: put and get of 4 KiB and 1 MiB objects (median and p90 latency),
listing 1,000 keys, and what each client costs a process: import time, client creation time and the
resident memory it adds (each in a fresh interpreter). Both clients talk to the same local server, so the
server's own cost is in both figures; the ratios are what matter.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from local_services import S3Server, s3_server

SMALL, LARGE = 4 * 1024, 1024 * 1024
ROUNDS = {SMALL: 200, LARGE: 30}
LISTED = 1000

# Run in a fresh interpreter: import the client, make one, use it once; print timings and memory.
_PROBE = """
import json, os, sys, time
def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
endpoint, which = sys.argv[1], sys.argv[2]
base = rss(); t0 = time.perf_counter()
if which == "boto3":
    import boto3
    t1 = time.perf_counter()
    client = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name="us-east-1")
    t2 = time.perf_counter()
    client.put_object(Bucket="bench", Key="probe", Body=b"x")
    client.get_object(Bucket="bench", Key="probe")["Body"].read()
else:
    import obstore
    from obstore.store import S3Store
    t1 = time.perf_counter()
    store = S3Store("bench", endpoint=endpoint, region="us-east-1", client_options={"allow_http": True})
    t2 = time.perf_counter()
    obstore.put(store, "probe", b"x")
    obstore.get(store, "probe").bytes()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "client_ms": (t2 - t1) * 1000, "rss_mib": rss() - base}))
"""


def _probe(server: S3Server, which: str) -> dict[str, float]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key}
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, server.endpoint, which],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        runs.append(json.loads(out.stdout))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _clients(server: S3Server) -> dict[str, tuple[Callable[[str, bytes], Any], Callable[[str], bytes], Any]]:
    import boto3
    import obstore
    from obstore.store import S3Store

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )
    client.create_bucket(Bucket="bench")
    store = S3Store(
        "bench",
        endpoint=server.endpoint,
        region=server.region,
        access_key_id=server.access_key,
        secret_access_key=server.secret_key,
        client_options={"allow_http": True},
    )

    def boto_list(prefix: str) -> list[str]:
        keys: list[str] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket="bench", Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []))
        return keys

    def obstore_list(prefix: str) -> list[str]:
        return [m["path"] for batch in obstore.list(store, prefix, chunk_size=1000) for m in batch]

    return {
        "boto3": (
            lambda k, d: client.put_object(Bucket="bench", Key=k, Body=d),
            lambda k: client.get_object(Bucket="bench", Key=k)["Body"].read(),
            boto_list,
        ),
        "obstore": (
            lambda k, d: obstore.put(store, k, d),
            lambda k: obstore.get(store, k).bytes().to_bytes(),
            obstore_list,
        ),
    }


def _timed(fn: Callable[[], Any], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    with s3_server() as server:
        clients = _clients(server)
        put0 = clients["boto3"][0]
        for i in range(LISTED):
            put0(f"listed/{i:06d}", b"x")
        results: dict[str, dict[str, float]] = {name: {} for name in clients}
        for name, (put, get, listing) in clients.items():
            for size, rounds in ROUNDS.items():
                data = os.urandom(size)
                put(f"warm/{name}", data)
                get(f"warm/{name}")
                label = "4KiB" if size == SMALL else "1MiB"
                n = iter(range(10**9))
                puts = _timed(lambda: put(f"{name}/{label}/{next(n)}", data), rounds)  # noqa: B023
                gets = _timed(lambda: get(f"{name}/{label}/0"), rounds)  # noqa: B023
                results[name][f"put {label} p50"] = statistics.median(puts)
                results[name][f"put {label} p90"] = _p(puts, 0.9)
                results[name][f"get {label} p50"] = statistics.median(gets)
                results[name][f"get {label} p90"] = _p(gets, 0.9)
            assert len(listing("listed/")) == LISTED
            results[name]["list 1000 keys"] = statistics.median(_timed(lambda: listing("listed/"), 5))  # noqa: B023
            for key, value in _probe(server, name).items():
                results[name][key] = value
    rows = list(results["boto3"])
    print(f"{'(ms, MiB)':<18}{'boto3':>10}{'obstore':>10}{'obstore/boto3':>15}")
    for row in rows:
        b, o = results["boto3"][row], results["obstore"][row]
        print(f"{row:<18}{b:>10.2f}{o:>10.2f}{o / b if b else float('nan'):>14.2f}x")
