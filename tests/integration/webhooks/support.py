"""A real webhook receiver for the tests: a starlette app served by uvicorn on a free
loopback port (in a thread of its own), recording every request and answering as scripted."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from process_apis.events.model import Event, EventType


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str = "ok"


@dataclass(frozen=True)
class Received:
    path: str
    at: float  # time.monotonic() when the request arrived
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Records requests per path; each path answers its script in turn, then 200."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self.received: list[Received] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])
        self.base_url = ""

    def script(self, path: str, *answers: Answer) -> str:
        """Queue ``answers`` for ``path``; returns the path's full URL."""
        with self._lock:
            self._scripts[path].extend(answers)
        return f"{self.base_url}/{path}"

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        path = request.path_params["path"]
        with self._lock:
            self.received.append(
                Received(path, time.monotonic(), dict(request.headers.items()), body)
            )
            script = self._scripts[path]
            answer = script.popleft() if script else Answer()
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return Response(answer.body, status_code=answer.status, headers=answer.headers)


@contextmanager
def serving(receiver: Receiver) -> Iterator[Receiver]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        receiver.app,
        log_config=None,
        log_level="warning",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.01)
        receiver.base_url = f"http://127.0.0.1:{port}"
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def event(
    number: int,
    *,
    type: EventType = EventType.ORDER_PLACED,
    connection: str = "EU01",
) -> Event:
    return Event(
        id=f"evt-{number:04d}",
        type=type,
        aggregate=f"order:{connection}:{number}",
        connection=connection,
        data={"order_id": f"{connection}:{number}", "number": number},
    )
