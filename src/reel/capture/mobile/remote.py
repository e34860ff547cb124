"""The application's config for SDKs, `GET {base_url}/v1/mobile/config?k={app_key}`: masking rules,
capture settings, limits and timeouts (docs/contracts/mobile-beacon.md, "Config")."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

log = logging.getLogger("reel.capture.mobile")


def fetch_config(base_url: str, app_key: str, *, timeout_s: float = 10.0) -> dict[str, Any] | None:
    """The config document, or None if Reel cannot be reached or refuses (the SDK then records with its
    defaults, which mask every text input; a later start fetches again)."""
    if not base_url.startswith(("https://", "http://")):
        raise ValueError("Reel's URL must be http(s)")
    url = f"{base_url.rstrip('/')}/v1/mobile/config?k={app_key}"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 (scheme checked)
            doc = json.loads(response.read())
    except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
        log.warning("Reel config could not be fetched (%s); recording with the default masking", exc)
        return None
    return doc if isinstance(doc, dict) else None
