"""Outbound webhook figures on a SQLite (default) or PostgreSQL state database.

1. Throughput: EVENTS events for SUBSCRIPTIONS subscriptions, enqueued as the outbox relay
   does, sent by two delivery workers (two replicas) to a local receiver that answers 200.
2. Claim cost behind a backlog: one subscription whose receiver is down holds BACKLOG
   pending deliveries; how long one claim round (the worker's poll) takes.

    .venv/bin/python bench/webhook_deliveries.py [--events 500] [--subscriptions 4]
        [--backlog 20000] [--database-url postgresql+asyncpg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from experience_api.webhooks.sender import HttpxWebhookSender
from process_apis.events.model import Event, EventType
from process_apis.persistence.database import create_engine, migrate
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.backoff import RetryPolicy
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.sql_store import SqlWebhookStore
from process_apis.webhooks.worker import DeliveryWorker

RECEIVED = 0


async def _receive(request: Request) -> Response:
    global RECEIVED
    await request.body()
    RECEIVED += 1
    return Response("ok")


@contextlib.contextmanager
def _receiver() -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app = Starlette(routes=[Route("/{path:path}", _receive, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def _events(count: int, prefix: str) -> list[Event]:
    return [
        Event(
            id=f"{prefix}-{n}",
            type=EventType.ORDER_PLACED,
            aggregate=f"order:EU01:{n}",
            connection="EU01",
            data={"order_id": f"EU01:{n}"},
        )
        for n in range(count)
    ]


async def _throughput(engine: AsyncEngine, base: str, events: int, subscriptions: int) -> None:
    store = SqlWebhookStore(engine)
    admin = WebhookAdmin(store, ["EU01"])
    for n in range(subscriptions):
        await admin.register(f"{base}/s{n}")
    started = time.perf_counter()
    batch = _events(events, "t")
    for index in range(0, len(batch), 100):  # the relay's batches
        await WebhookEnqueuer(store).publish(batch[index : index + 100])
    enqueued = time.perf_counter() - started
    senders = [HttpxWebhookSender(timeout=10) for _ in range(2)]
    workers = [
        DeliveryWorker(store, s, RetryPolicy(), concurrency=8, poll_interval=0.05) for s in senders
    ]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    total = events * subscriptions
    started = time.perf_counter()
    while total > RECEIVED:  # noqa: ASYNC110 - the receiver runs in another thread
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for sender in senders:
        await sender.aclose()
    print(f"enqueue: {total} deliveries in {enqueued:.2f} s ({total / enqueued:,.0f}/s)")
    print(
        f"send:    {total} deliveries by 2 workers in {elapsed:.2f} s "
        f"({total / elapsed:,.0f}/s), {RECEIVED} requests received (no duplicates: "
        f"{total == RECEIVED})"
    )


async def _claim_cost(engine: AsyncEngine, backlog: int) -> None:
    store = SqlWebhookStore(engine)
    admin = WebhookAdmin(store, ["EU01"])
    await admin.register("http://127.0.0.1:9/down")
    batch = _events(backlog, "b")
    for index in range(0, len(batch), 500):
        await WebhookEnqueuer(store).publish(batch[index : index + 500])
    now = dt.datetime.now(dt.UTC)
    # The head is in flight (leased): every other delivery waits behind it.
    await store.claim(limit=1, now=now, lease_until=now + dt.timedelta(hours=1))
    rounds = []
    for _ in range(20):
        started = time.perf_counter()
        claimed = await store.claim(limit=8, now=now, lease_until=now)
        rounds.append(time.perf_counter() - started)
        assert claimed == []
    print(
        f"claim round behind a backlog of {backlog} pending deliveries: "
        f"median {statistics.median(rounds) * 1000:.1f} ms, max {max(rounds) * 1000:.1f} ms"
    )


@contextlib.asynccontextmanager
async def _database(args: argparse.Namespace, name: str) -> AsyncIterator[AsyncEngine]:
    """A fresh migrated database: a SQLite file, or a schema of its own on PostgreSQL."""
    if not args.database_url:
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / name}")
            await migrate(engine)
            yield engine
            await engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(args.database_url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(
        args.database_url, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def _main(args: argparse.Namespace) -> None:
    print(f"state database: {'postgresql' if args.database_url else 'sqlite'}")
    with _receiver() as base:
        async with _database(args, "throughput.sqlite") as engine:
            await _throughput(engine, base, args.events, args.subscriptions)
    async with _database(args, "backlog.sqlite") as engine:
        await _claim_cost(engine, args.backlog)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--subscriptions", type=int, default=4)
    parser.add_argument("--backlog", type=int, default=20000)
    parser.add_argument("--database-url")
    asyncio.run(_main(parser.parse_args()))
