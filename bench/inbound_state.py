"""CPU per inbound event of the state database path alone, in this process: the inbound
store and the outbox on a fresh SQLite state file, without HTTP, ERP or event sinks.

Per event, one after the other (no group forms, so each step is its own transaction):
store the webhook, claim it, complete it staging one business event, then the relay's
read of unpublished events and its mark. Prints CPU time per event (user and system: the
system part is mostly the fsync of each commit) and wall time per event.

    .venv/bin/python bench/inbound_state.py [--events 400] [--rounds 3]

The gateway's whole cost per event is measured by ``bench/stock_event_latency.py push``;
this isolates the part the state database takes, which that bench's figure, moved by the
load of a shared machine, cannot resolve by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid

from process_apis.events.model import Event, EventType
from process_apis.events.sql_reader import SqlOutboxReader
from process_apis.inbound.port import Completion, NewInbound
from process_apis.inbound.sql_store import SqlInboundStore
from process_apis.persistence.database import create_engine, migrate

LEASE = dt.timedelta(minutes=5)
WARM = 50


async def run(events: int) -> tuple[float, float, float, float]:
    """CPU, user, system and wall milliseconds per event."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/state.sqlite")
        await migrate(engine)
        store, reader = SqlInboundStore(engine), SqlOutboxReader(engine)

        async def one(index: int) -> None:
            new = NewInbound(
                source="wms",
                webhook_id=uuid.uuid4().hex,
                type="wms.goods_received",
                connection="EU01",
                ordering_key=f"stock:EU01:TG11:1010/000{index % 8}",
                data={"sku": "TG11", "location": f"1010/000{index % 8}", "quantity": "1"},
            )
            await store.add_all([new])
            (claimed,) = await store.claim_due(16, LEASE)
            event = Event(
                id=uuid.uuid4().hex,
                type=EventType.INVENTORY_CHANGED,
                aggregate=claimed.ordering_key,
                connection="EU01",
                occurred_at=dt.datetime.now(dt.UTC),
                data={"quantity": index},
            )
            await store.complete_all([Completion(claimed, [event])])
            staged = await reader.unpublished(100)
            await reader.mark_published([s.seq for s in staged], dt.datetime.now(dt.UTC))

        try:
            for index in range(WARM):
                await one(index)
            before, started = os.times(), time.monotonic()
            for index in range(events):
                await one(WARM + index)
            after, wall = os.times(), time.monotonic() - started
        finally:
            await engine.dispose()
    user = (after.user - before.user) * 1000 / events
    system = (after.system - before.system) * 1000 / events
    return user + system, user, system, wall * 1000 / events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cpus = []
    for round_ in range(1, args.rounds + 1):
        cpu, user, system, wall = asyncio.run(run(args.events))
        cpus.append(cpu)
        print(f"round {round_}: {cpu:.2f} CPU ms per event (user {user:.2f}, system "
              f"{system:.2f}), {wall:.2f} ms wall")  # fmt: skip
    print(f"median {statistics.median(cpus):.2f} CPU ms per event over {args.rounds} rounds")


if __name__ == "__main__":
    main()
