"""Real servers for the tests, under uvicorn on a free loopback port in a thread of their
own: a token issuer's JWKS endpoint serving whatever keys the test publishes (or failing
on demand), and the gateway itself for WebSocket tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class JwksEndpoint:
    """``document`` is served at ``url``; ``failing`` answers 500 instead."""

    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    failing: bool = False
    fetches: int = 0
    url: str = ""

    async def serve(self, _: Request) -> Response:
        self.fetches += 1
        if self.failing:
            return Response("down for maintenance", status_code=500)
        return JSONResponse(self.document)


@contextmanager
def served(app: Any, *, lifespan: str = "off") -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port until the block ends; its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", lifespan=lifespan, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


@contextmanager
def jwks_endpoint(document: dict[str, Any]) -> Iterator[JwksEndpoint]:
    endpoint = JwksEndpoint(document=document)
    app = Starlette(routes=[Route("/realms/erp/certs", endpoint.serve)])
    with served(app) as address:
        endpoint.url = f"http://{address}/realms/erp/certs"
        yield endpoint
