"""Where beacons arrive: each beacon route's path and the platform its metrics and logs name."""

from __future__ import annotations

WEB_BEACONS_PATH = "/v1/web/beacons"
MOBILE_BEACONS_PATH = "/v1/mobile/beacons"
BEACON_PATHS = {WEB_BEACONS_PATH: "web", MOBILE_BEACONS_PATH: "mobile"}
