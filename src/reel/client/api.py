"""`Reel`: the operator API (docs/contracts/operator-api.md) for scripts and notebooks, over httpx."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

import httpx

from reel.client.errors import ReelUnreachable, error_for
from reel.client.models import Action, Application, Deletion, Page, Session

Sort = Literal["start", "-start", "duration", "-duration", "actions", "-actions", "errors", "-errors"]
Time = int | datetime
"""A time filter: milliseconds since the Unix epoch, or a datetime (a naive one is taken as local time)."""

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Reel:
    """A Reel server seen through its operator API with an API token (`reel tokens create`).

    ::

        reel = Reel("https://reel.example", token="reel_…")
        for s in reel.sessions(user_id="user-42", has_errors=True):
            print(s.id, s.first_url, s.errors)
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        if not token:
            raise ValueError("a token is needed (reel tokens create NAME prints one)")
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Reel:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __repr__(self) -> str:
        return f"Reel({self.base_url!r})"

    # Sessions

    def sessions(
        self,
        *,
        user_id: str | None = None,
        url: str | None = None,
        app_id: str | None = None,
        platform: Literal["web", "mobile"] | None = None,
        started_after: Time | None = None,
        started_before: Time | None = None,
        min_duration_ms: int | None = None,
        max_duration_ms: int | None = None,
        min_actions: int | None = None,
        max_actions: int | None = None,
        has_errors: bool | None = None,
        has_rage_clicks: bool | None = None,
        sort: Sort = "-start",
        limit: int | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Session]:
        """Every session matching the filters (the API's, by name), page after page, up to `limit`.

        `url` matches sessions that visited a URL containing that text. Sessions recorded while the
        iteration runs may shift the pages of a `-start` sort; pass `started_before` to pin them.
        """
        filters = {
            "user_id": user_id,
            "url": url,
            "app_id": app_id,
            "platform": platform,
            "started_after": started_after,
            "started_before": started_before,
            "min_duration_ms": min_duration_ms,
            "max_duration_ms": max_duration_ms,
            "min_actions": min_actions,
            "max_actions": max_actions,
            "has_errors": has_errors,
            "has_rage_clicks": has_rage_clicks,
        }
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}")
        offset, seen = 0, 0
        while limit is None or seen < limit:
            size = page_size if limit is None else min(page_size, limit - seen)
            page = self.search(sort=sort, offset=offset, limit=size, **filters)
            yield from page
            seen += len(page)
            offset += len(page)
            if not page.has_more or len(page) == 0:
                return

    def search(
        self, *, sort: Sort = "-start", offset: int = 0, limit: int = PAGE_SIZE, **filters: Any
    ) -> Page[Session]:
        """One page of `GET /api/v1/sessions` (the filters of `sessions()`), with the total count."""
        params = {key: _query_value(value) for key, value in filters.items() if value is not None}
        params.update(sort=sort, offset=str(offset), limit=str(limit))
        doc = self._get("/api/v1/sessions", params)
        items = tuple(Session.from_json(s, self.player_url(str(s["id"]))) for s in doc["sessions"])
        return Page(items=items, total=int(doc["total"]), offset=offset, limit=limit)

    def session(self, session_id: str) -> Session:
        """One session with its segments, gaps and parts (`SessionDeleted` for a deleted one)."""
        doc = self._get(f"/api/v1/sessions/{_path_id(session_id)}")
        return Session.from_json(doc, self.player_url(session_id))

    def actions(self, session_id: str) -> list[Action]:
        """The session's actions in time order, masked with the application's current rules."""
        doc = self._get(f"/api/v1/sessions/{_path_id(session_id)}/actions")
        return [Action.from_json(a) for a in doc["actions"]]

    def events(self, session_id: str) -> list[dict[str, Any]]:
        """The session's replay events (rrweb JSON), masked and made safe exactly as the player gets them.

        The one place events are read, so a change in how the API serves them changes only this method.
        """
        doc = self._get(f"/api/v1/sessions/{_path_id(session_id)}/events")
        events: list[dict[str, Any]] = doc["events"]
        return events

    def player_url(self, session_id: str, at_ms: int | None = None) -> str:
        """The player page of a session, opened paused at `at_ms` when given."""
        url = f"{self.base_url}/sessions/{_path_id(session_id)}"
        return url if at_ms is None else f"{url}?t={max(0, int(at_ms))}"

    # Applications and deletion

    def applications(self) -> list[Application]:
        """The applications the token's operator may see."""
        return [Application.from_json(a) for a in self._get("/api/v1/applications")["applications"]]

    def delete_user(self, app_id: str | None, user_id: str) -> Deletion:
        """Delete every recording in which a session is identified as `user_id` (GDPR), in one application
        or (`app_id=None`) in every application the operator may see. Admin only; audited; repeatable."""
        body: dict[str, str] = {"user_id": user_id}
        if app_id is not None:
            body["app_id"] = app_id
        return Deletion.from_json(self._send("POST", "/api/v1/deletions", json=body))

    def delete_session(self, session_id: str) -> Deletion:
        """Delete a session with its whole recording. Admin only; audited; repeatable."""
        return Deletion.from_json(self._send("DELETE", f"/api/v1/sessions/{_path_id(session_id)}"))

    # HTTP

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._send("GET", path, params=params)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ReelUnreachable(f"{method} {self.base_url}{path}: {exc}") from exc
        if response.is_success:
            return response.json()
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        raise error_for(response.status_code, body, response.headers.get("Retry-After"))


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return str(int(value.timestamp() * 1000))
    return str(value)


def _path_id(session_id: str) -> str:
    """A session id safe to put in a path (Reel's ids are letters, digits, `_` and `-`)."""
    if not session_id or not all(c.isascii() and (c.isalnum() or c in "_-") for c in session_id):
        raise ValueError(f"not a session id: {session_id!r}")
    return session_id
