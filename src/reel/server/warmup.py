"""What `reel serve` builds before its first answer, which FastAPI and Jinja would build on first requests.

FastAPI (0.137 and later) builds an included router's routes (their parameters, dependencies and
models) when the first request reaches that router, and Jinja compiles a template when it is first used.
Every process of a deployment paid that again after each start, on its first requests: on the 8 h
dashboard (2 CPUs) a new `reel serve`'s first API request took 16-26 ms and its first player page
59-79 ms, against 6-11 ms and 36-49 ms with this warm-up and 3-6 ms once warm (docs/scale.md; what the
first player page still pays is rendering its first frame). Built at startup, before `gc.freeze`, it
lives with the rest of what lasts as long as the server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from starlette.routing import NoMatchFound

from reel.player import pages
from reel.server import login

_NO_SUCH_ROUTE = "reel-warm-up: no route has this name"


def warm_up(app: FastAPI, templates: Iterable[Jinja2Templates] = (pages.templates, login.templates)) -> None:
    """Build every router's routes and compile every template of `templates`."""
    # Looking a name up goes through every router, and a router builds its routes to look in them.
    with contextlib.suppress(NoMatchFound):
        app.url_path_for(_NO_SUCH_ROUTE)
    for found in templates:
        for name in found.env.list_templates(extensions=["html"]):  # not a stray file beside them
            found.env.get_template(name)
