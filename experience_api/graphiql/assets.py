"""GraphiQL's page and assets, bundled as package data (no CDN).

``static/`` holds the pinned builds of graphiql, react and react-dom with their licence
files, fetched and checked (sha256) by ``scripts/fetch_graphiql.py``, and ``start.js``, the
gateway's own start-up script. The page references the gateway's own origin only.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.staticfiles import StaticFiles

PACKAGE = "experience_api.graphiql"
STATIC_PREFIX = "/graphiql/static"


@cache
def page() -> str:
    """The GraphiQL page, read once from the package."""
    return files(PACKAGE).joinpath("page.html").read_text(encoding="utf-8")


def static_files() -> StaticFiles:
    """The ASGI app serving ``static/`` (mounted at :data:`STATIC_PREFIX`)."""
    return StaticFiles(packages=[(PACKAGE, "static")])
