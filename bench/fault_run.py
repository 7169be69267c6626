"""The long fault run: orders through a flaky SAP, an outage and a kill -9 of the gateway.

A *gateway process* (this script with ``--worker``) places ``--orders`` orders at
``--concurrency`` over the SAP sandbox (in that process, its data in a directory) with 20 %
5xx, 5 % answers later than the call timeout, 429 bursts and a ``--outage``-second outage,
with automatic retries and the in-flight recovery running as in the gateway. Once 60 % of
the orders were sent it is killed with SIGKILL. A second gateway process over the same state
database and SAP data, the ERP healthy, resumes: the recovery finishes the claims the
killed one left, the automatic retries place what is pending, and the client sends every
order again with its idempotency key (a client that got no answer retries). Printed:
orders in the ERP per key, lost (in neither the ERP nor review), duplicated, completed
without operator action, and the rest in review with their reasons.

    .venv/bin/python bench/fault_run.py [--orders 2000] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx

from erp_sandbox.faults import Fault, FaultPlan
from erp_sandbox.sap import SandboxSettings, create_app
from process_apis.connections import Connections
from process_apis.errors import FlowError, IdempotencyConflict
from process_apis.idempotency.sql_store import SqlIdempotencyStore
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.persistence.database import create_engine, migrate
from process_apis.quarantine.errors import OrderPending, OrderQuarantined
from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.retrier import PendingRetries
from process_apis.quarantine.schedule import RetrySchedule
from process_apis.quarantine.sql_store import SqlQuarantineStore
from process_apis.recovery import InFlightRecovery
from system_apis.resilience.adapter import ResilientAdapter
from system_apis.resilience.policy import ResiliencePolicy
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient

FAULTS = FaultPlan(
    seed=12,
    faults=(
        Fault(kind="error_burst", probability=0.20),
        Fault(kind="slow", probability=0.05, delay_ms=2500),  # past the 2 s call timeout
        Fault(kind="throttle", probability=0.02, retry_after=2),
        Fault(kind="reset_after_write", scope="writes", probability=0.02),
    ),
)
OUTAGE = Fault(kind="down", retry_after=5)
POLICY = ResiliencePolicy(timeout=2, max_retry_after=1, breaker_open_seconds=5)
SCHEDULE = RetrySchedule(base=1, cap=10, deadline=dt.timedelta(hours=1))
IN_FLIGHT = dt.timedelta(seconds=10)


class Gateway:
    """One gateway process's order flow over the sandbox in ``root`` and a state database."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.run = root.name  # keys of this run, apart from earlier runs on the same database
        self.sandbox_app = create_app(SandboxSettings(data_dir=root / "sap"))
        self.sap = self.sandbox_app.state.sandbox
        client = SapODataClient(
            base_url="http://sap.test",
            username="GATEWAY",
            password="sandbox",
            transport=httpx.ASGITransport(app=self.sandbox_app),
        )
        self.erp = ResilientAdapter(SapAdapter(connection="EU01", client=client), POLICY)
        self.engine = create_engine(database_url)
        self.quarantine = SqlQuarantineStore(self.engine)
        self.keys = SqlIdempotencyStore(self.engine)
        self.flow = OrderToInvoice(
            Connections({"EU01": self.erp}),
            self.keys,
            self.quarantine,
            in_flight_timeout=IN_FLIGHT,
            retries=SCHEDULE,
        )
        replayers = Replayers({PLACE_ORDER: OrderReplayer(self.flow)})
        self.retries = PendingRetries(
            self.quarantine, replayers, SCHEDULE, lease=IN_FLIGHT, concurrency=4
        )
        self.recovery = InFlightRecovery(self.flow)

    def commands(self, count: int) -> list[PlaceOrder]:
        customers = [
            row["Customer"]
            for row in self.sap.rows("A_BusinessPartner")
            if row["Customer"] and not row["BusinessPartnerIsBlocked"]
        ]
        materials = [row["Product"] for row in self.sap.rows("A_Product")]
        return [
            PlaceOrder.parse(
                idempotency_key=f"fault-run-{self.run}-{index:05d}",
                customer_id=f"EU01:{customers[index % len(customers)]}",
                lines=[{"sku": materials[index % len(materials)], "quantity": "1"}],
            )
            for index in range(count)
        ]

    def background(self) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(self.retries.run_periodically(0.5)),
            asyncio.create_task(self.recovery.run_periodically(1.0)),
        ]


async def worker(
    root: Path, database_url: str, orders: int, concurrency: int, outage: float
) -> None:
    """The first gateway process: places orders under faults until it is killed."""
    gateway = Gateway(root, database_url)
    await migrate(gateway.engine)
    gateway.sap.faults.set(FAULTS)
    tasks = gateway.background()
    gate = asyncio.Semaphore(concurrency)
    sent = 0

    async def outage_spell() -> None:
        await asyncio.sleep(5)
        gateway.sap.faults.set(FaultPlan(seed=1, faults=(OUTAGE,)))
        await asyncio.sleep(outage)
        gateway.sap.faults.set(FAULTS)

    async def place(command: PlaceOrder) -> None:
        nonlocal sent
        async with gate:
            sent += 1
            if sent == int(orders * 0.6):
                print("kill-me", flush=True)
            with contextlib.suppress(FlowError):  # pending or in review: counted afterwards
                await gateway.flow.place_order(command)

    tasks.append(asyncio.create_task(outage_spell()))
    await asyncio.gather(*(place(c) for c in gateway.commands(orders)))
    print("kill-me", flush=True)
    await asyncio.sleep(3600)  # the parent kills this process


async def resume(root: Path, database_url: str, orders: int) -> None:
    """The second gateway process, ERP healthy: recovery, automatic retries, client retries."""
    gateway = Gateway(root, database_url)
    await migrate(gateway.engine)
    commands = gateway.commands(orders)
    tasks = gateway.background()
    started = asyncio.get_running_loop().time()
    await asyncio.sleep(IN_FLIGHT.total_seconds() + 2)  # claims of the killed process go stale
    outcome: Counter[str] = Counter()
    for command in commands:  # the client retries what it has no answer for
        for _ in range(600):
            try:
                await gateway.flow.place_order(command)
                outcome["placed"] += 1
            except OrderPending:
                await asyncio.sleep(0.5)
                continue
            except OrderQuarantined:
                outcome["in_review"] += 1
            except IdempotencyConflict:
                await asyncio.sleep(0.5)
                continue
            except FlowError as exc:
                outcome[f"refused: {exc.code}"] += 1
            break
        else:
            outcome["no answer"] += 1
    elapsed = asyncio.get_running_loop().time() - started
    for task in tasks:
        task.cancel()
    references = {c.external_reference(gateway.erp.limits): c for c in commands}
    in_erp = Counter(
        row["PurchaseOrderByCustomer"]
        for row in gateway.sap.rows("A_SalesOrder")
        if row["PurchaseOrderByCustomer"] in references
    )
    review = await gateway.quarantine.list(QuarantineFilter(QuarantineStatus.OPEN), limit=10**6)
    waiting = await gateway.quarantine.list(QuarantineFilter(QuarantineStatus.PENDING), limit=10**6)
    keys = {c.idempotency_key for c in commands}
    in_review = [r for r in review.items if r.idempotency_key in keys]
    reviewed = {r.idempotency_key for r in in_review}
    pending = {r.idempotency_key for r in waiting.items} & keys
    lost = [
        c.idempotency_key
        for ref, c in references.items()
        if in_erp[ref] == 0 and c.idempotency_key not in reviewed | pending
    ]
    reasons = Counter((r.erp_error.code if r.erp_error else r.reason[:60]) for r in in_review)
    print(f"orders={orders} in_erp={len(in_erp)} lost={len(lost)} still_pending={len(pending)}")
    print(f"duplicated={sum(n - 1 for n in in_erp.values() if n > 1)}")
    completed = outcome["placed"]
    print(
        f"completed_without_operator={completed} ({100 * completed / orders:.1f} %)"
        f" in_review={len(in_review)} reasons={dict(reasons)}"
    )
    print(f"client outcomes={dict(outcome)} resume_seconds={elapsed:.0f}")
    await gateway.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary dir")
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url = args.database_url
        asyncio.run(worker(args.root, url, args.orders, args.concurrency, args.outage))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = args.database_url or f"sqlite+aiosqlite:///{root / 'state.db'}"
        command = [
            sys.executable, __file__, "--worker", "--root", str(root), "--database-url", url,
            "--orders", str(args.orders), "--concurrency", str(args.concurrency),
            "--outage", str(args.outage),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
            assert child.stdout is not None
            for line in child.stdout:
                if line.strip() == "kill-me":
                    break
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        print(f"gateway process killed with SIGKILL (exit {child.returncode})")
        asyncio.run(resume(root, url, args.orders))
    return 0


if __name__ == "__main__":
    sys.exit(main())
