"""The ingest benchmark's baselines: a beacon endpoint on Reel's server stack that does no work.

`python -m bench._bare_endpoint --port P` serves `POST /v1/web/beacons` with FastAPI under the same
uvicorn server and options as `reel serve` (reel.server.draining.serve_app): it reads the whole body
and answers 200 JSON. With `--durable DIR` it also writes each body to DIR the way Reel's file replay
store does (temp file, fsync, rename, fsync of the folder) before answering: the floor of a design
that makes every beacon durable on its own.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from reel.config import Settings
from reel.runtime.responses import OrjsonResponse
from reel.server.draining import serve_app
from reel.storage.file_blobs import FileReplayStore

CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}


def create_bare_app(durable_dir: Path | None) -> FastAPI:
    """The baseline app: read the body (and with `durable_dir`, store it durably), answer 200."""
    app = FastAPI()
    store = FileReplayStore(durable_dir) if durable_dir is not None else None
    numbers = itertools.count()

    @app.post("/v1/web/beacons")
    async def receive(request: Request) -> Response:
        body = await request.body()
        if store is not None:
            number = next(numbers)
            key = f"bench/{number // 1000:06d}/{number:09d}"
            await run_in_threadpool(store.put, key, body)
        return OrjsonResponse({"ok": True, "bytes": len(body)}, headers=CORS_HEADERS)

    @app.get("/readyz")
    async def ready() -> Response:
        return OrjsonResponse({"ok": True})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--durable", type=Path, default=None, help="write and fsync each body under this folder"
    )
    args = parser.parse_args()
    settings = Settings(port=args.port, drain_seconds=0)
    serve_app(create_bare_app(args.durable), settings)


if __name__ == "__main__":
    main()
