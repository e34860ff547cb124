"""The reference of Reel's environment variables: each REEL_* variable, its default and meaning.

`reel config --reference` prints it as a Markdown table; docs/deployment.md holds a copy that a test
compares with it, and another test checks it names exactly the variables `reel.config` reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from reel.config import Settings


@dataclass(frozen=True)
class EnvSetting:
    """One REEL_* environment variable: what it sets and its default, for the configuration reference."""

    name: str
    default: str
    meaning: str
    option: str = ""
    """The `reel serve` option that overrides it, if any."""


_D = Settings()

ENVIRONMENT: tuple[EnvSetting, ...] = (
    EnvSetting(
        "REEL_DATA_DIR",
        str(_D.data_dir),
        "Data directory of every `reel` command: the SQLite database "
        "(`reel.sqlite3`) and the replay blobs (`blobs/`), unless the two URLs below say otherwise.",
        "--data-dir",
    ),
    EnvSetting("REEL_HOST", _D.host, "Address `reel serve` listens on.", "--host"),
    EnvSetting("REEL_PORT", str(_D.port), "Port `reel serve` listens on.", "--port"),
    EnvSetting(
        "REEL_TRUSTED_PROXIES",
        "(none)",
        "Addresses or networks of the reverse proxies in front of Reel (`127.0.0.1`, `10.0.0.0/8`), "
        "separated by spaces or commas: only connections from them may give the client's address and "
        "scheme (`X-Forwarded-For`, `X-Forwarded-Proto`). Unset: the headers are ignored.",
    ),
    EnvSetting(
        "REEL_PUBLIC_URL",
        "(none)",
        "The URL pages and operators reach Reel at, e.g. "
        "`https://reel.example`; the snippet loads the recorder from there. Unset: "
        "`http://HOST:PORT` in the CLI, the request's URL on the Applications page.",
    ),
    EnvSetting(
        "REEL_DATABASE_URL",
        "(SQLite in the data directory)",
        "Session store URL: `sqlite:///path` (relative; four slashes for an absolute path), or "
        "`postgresql://user@host:port/db` for several processes (docs/storage.md).",
        "--database-url",
    ),
    EnvSetting(
        "REEL_BLOB_URL",
        "(files in the data directory)",
        "Replay store URL: `file:///path`, or `s3://bucket/prefix?endpoint=URL&region=R` for any "
        "S3-compatible store (credentials from `AWS_*`; docs/storage.md).",
    ),
    EnvSetting(
        "REEL_SERVE_WORK",
        "on",
        "`on`: `reel serve` runs processing, compaction, resource capture and the purge in a `reel worker` "
        "child process it starts, restarts and stops (its metrics show at the server's `/metrics`). "
        "`off`: it leaves them to `reel worker` processes (several processes on PostgreSQL + S3).",
        "--work/--no-work",
    ),
    EnvSetting(
        "REEL_BEACONS_PER_SECOND",
        f"{_D.limits.beacons_per_second:g}",
        "Each application's sustained beacon quota (per second; 0 turns it off).",
    ),
    EnvSetting(
        "REEL_BEACON_BURST",
        str(_D.limits.beacon_burst),
        "Beacons an application may send at once above the sustained rate.",
    ),
    EnvSetting(
        "REEL_SPLIT_AFTER_ACTIONS",
        str(_D.sessions.split_after_actions),
        "A session is split (the recording goes on in its next part) after this many actions (brief §3.3).",
    ),
    EnvSetting(
        "REEL_DRAIN_SECONDS",
        f"{_D.drain_seconds:g}",
        "On SIGTERM, how long `/readyz` answers 503 before the server stops.",
        "--drain-seconds",
    ),
    EnvSetting(
        "REEL_FRAME_ANCESTORS",
        "(none)",
        "Origins allowed to embed the player page, separated by spaces or commas (e.g. a notebook server).",
    ),
    EnvSetting(
        "REEL_LOG_FORMAT",
        _D.log_format,
        "`text` or `json` (one JSON object per line); either way one line per request with its request id.",
    ),
    EnvSetting(
        "REEL_LOG_BEACONS",
        "off",
        "`on` writes a line for each accepted beacon too (off: counted in `/metrics`; refusals are logged).",
    ),
    EnvSetting("REEL_METRICS", "on", "`off` answers 404 at `/metrics`."),
    EnvSetting("REEL_METRICS_TOKEN", "(none)", "When set, `/metrics` needs `Authorization: Bearer TOKEN`."),
    EnvSetting(
        "REEL_METRICS_DIR",
        "(none)",
        "A directory shared by every Reel process of the machine: "
        "`/metrics` of any process then counts for all (empty it when all of them are stopped).",
    ),
)


def configuration_reference() -> str:
    """The Markdown table of every environment variable (docs/deployment.md holds a copy; a test compares)."""
    lines = ["| variable | default | `reel serve` option | meaning |", "|---|---|---|---|"]
    for entry in ENVIRONMENT:
        option = f"`{entry.option}`" if entry.option else ""
        default = entry.default if entry.default.startswith("(") else f"`{entry.default}`"
        lines.append(f"| `{entry.name}` | {default} | {option} | {entry.meaning} |")
    return "\n".join(lines) + "\n"
