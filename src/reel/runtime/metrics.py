"""Every Prometheus metric Reel exports, in one place; `/metrics` renders them (reel.server.metrics_route).

Several processes (brief §3.9): by default each process counts for itself, which is right when each is
scraped on its own address. With REEL_METRICS_DIR, every process of the machine writes its values to
files in that directory (prometheus_client's multiprocess mode) and `/metrics` of any of them answers
for all: counters and histograms are summed, lag gauges take the largest value among live processes.
The directory must be emptied before the processes start (docs/deployment.md shows the systemd line),
and the variable must be set before prometheus_client is first imported, hence the environment only.

Labels are small closed sets (platform, a reason code, an outcome), never ids or URLs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# prometheus_client picks its value storage when it is imported: the directory must be named first.
if os.environ.get("REEL_METRICS_DIR") and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ["REEL_METRICS_DIR"]

from prometheus_client import (  # after the environment is set (see above)
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from reel.errors import StorageUnavailable

# Beacon answers by status, named as the error codes of reel.errors (docs/contracts/web-beacon.md).
REFUSAL_REASONS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    408: "request_timeout",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "storage_unavailable",
}

BEACONS_ACCEPTED = Counter(
    "reel_beacons_accepted", "Beacons acknowledged (stored durably, duplicates included).", ["platform"]
)
BEACONS_REFUSED = Counter(
    "reel_beacons_refused",
    "Beacons answered with an error, by reason (the error code).",
    ["platform", "reason"],
)
INGEST_SECONDS = Histogram(
    "reel_ingest_duration_seconds",
    "Time to answer a beacon, from the request to the end of the answer.",
    ["platform"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
STORE_ERRORS = Counter(
    "reel_store_errors",
    "Store failures (StorageUnavailable), by where they surfaced: http or a background task's name.",
    ["where"],
)
REPLAY_EVENTS_DROPPED = Counter(
    "reel_replay_events_dropped",
    "Events left out of what the player receives by replay-time masking: blocked or unreadable "
    "(`dropped`), or a masking failure (`error`, dropped rather than sent unmasked).",
    ["reason"],
)
BEACON_EVENTS_IGNORED = Counter(
    "reel_beacon_events_ignored",
    "Events of an accepted beacon left out at ingest because the contract does not know their type "
    "(a newer SDK, say); the beacon's answer says how many.",
    ["platform"],
)
MIRROR_PROBLEMS = Counter(
    "reel_mirror_problems",
    "Problems the DOM mirror recorded while processing web recordings: events, or parts of events, it "
    "could not apply (a mutation about an unknown node, a bad style sheet rule...).",
)
PROCESSING_STATE_MISSING = Counter(
    "reel_processing_state_missing",
    "Recordings whose processing started again from an empty state because what it had kept was gone: "
    "the state blob of processing before version 10 (`blob`), or the stored state (`state`).",
    ["what"],
)
FIRST_FRAME_FAILURES = Counter(
    "reel_first_frame_failures",
    "Player pages served without the first frame because making it failed: a store error (`storage`) "
    "or a bug (`error`). The player still loads the session from the API.",
    ["reason"],
)
RECORDINGS_DELETED = Counter(
    "reel_recordings_deleted", "Recordings deleted, by cause (retention or request).", ["cause"]
)
SESSIONS_DELETED = Counter(
    "reel_sessions_deleted", "Sessions deleted (tombstones written), by cause.", ["cause"]
)
BLOBS_DELETED = Counter("reel_blobs_deleted", "Replay blobs deleted by purges and deletion requests.")
RESOURCE_FETCHES = Counter(
    "reel_resource_fetches",
    "Resource captures by outcome: captured, pending (retried later), failed, refused.",
    ["outcome"],
)
# Set by processing and compaction (brief §3.9); in multiprocess mode the largest among live processes.
PROCESSING_LAG = Gauge(
    "reel_processing_lag_seconds",
    "How long a new beacon may wait for processing, as of the last round (0 when caught up).",
    multiprocess_mode="livemax",
)
COMPACTION_LAG = Gauge(
    "reel_compaction_lag_seconds",
    "Age of the oldest beacon not yet compacted into a segment.",
    multiprocess_mode="livemax",
)


def multiprocess_dir() -> str | None:
    """The shared directory when several processes count together, else None."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


_CHILD_DIRS: list[str] = []


def count_children_in(directory: str) -> None:
    """Also answer for child processes that write their metrics as files to `directory` (multiprocess mode),
    while this process counts in memory: the embedded `reel serve` and its work process."""
    _CHILD_DIRS.append(directory)


def child_exited(pid: int) -> None:
    """Forget the live gauges of a child counted through `count_children_in`."""
    for directory in _CHILD_DIRS:
        multiprocess.mark_process_dead(pid, path=directory)  # type: ignore[no-untyped-call]


def render_metrics() -> tuple[bytes, str]:
    """The text exposition of every metric (all processes sharing the directory, if any), and its type."""
    directory = multiprocess_dir()
    if directory is None and _CHILD_DIRS:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_WithChildren(_CHILD_DIRS))
        return generate_latest(registry), CONTENT_TYPE_LATEST
    if directory is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def process_exited(pid: int) -> None:
    """Forget the live gauges of a process that ended (multiprocess mode; nothing otherwise)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def count_store_error(where: str, exc: BaseException) -> None:
    """Count `exc` as a store error of `where` when it is one."""
    if isinstance(exc, StorageUnavailable):
        STORE_ERRORS.labels(where).inc()


def count_deleted(cause: str, recordings: int, sessions: int) -> None:
    """Count recordings and sessions deleted under `cause` (retention or request)."""
    RECORDINGS_DELETED.labels(cause).inc(recordings)
    SESSIONS_DELETED.labels(cause).inc(sessions)


class _WithChildren(Collector):
    """This process's metrics and its children's (`count_children_in`) as one: samples with the same name
    and labels are summed (counters, histograms), gauges take the largest (Reel's are lags: `livemax`)."""

    def __init__(self, directories: list[str]) -> None:
        self.directories = directories

    def collect(self) -> Iterator[Metric]:
        children = CollectorRegistry(auto_describe=False)
        for directory in self.directories:
            multiprocess.MultiProcessCollector(children, path=directory)  # type: ignore[no-untyped-call]
        merged: dict[str, Metric] = {}
        values: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
        for family in [*REGISTRY.collect(), *children.collect()]:
            kept = merged.setdefault(family.name, Metric(family.name, family.documentation, family.type))
            into = values.setdefault(kept.name, {})
            for sample in family.samples:
                key = (sample.name, tuple(sorted(sample.labels.items())))
                if key not in into:
                    into[key] = sample.value
                elif family.type == "gauge":
                    into[key] = max(into[key], sample.value)
                elif sample.name.endswith("_created"):
                    into[key] = min(into[key], sample.value)  # when first counted, by either process
                else:
                    into[key] += sample.value
        for name, family in merged.items():
            for (sample_name, labels), value in values[name].items():
                family.add_sample(sample_name, dict(labels), value)
            yield family
