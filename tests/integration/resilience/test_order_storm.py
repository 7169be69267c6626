"""1,000 orders through the process layer while the ERP misbehaves: none lost, none doubled,
and what failed only for now is placed without an operator.

The SAP sandbox injects, at random with a fixed seed, outages (503), 5xx bursts, 429 with
Retry-After, slow answers, answers later than the call timeout, malformed bodies and lost
answers to writes it did commit; an httpx transport in front of it refuses some connections;
midway a run of consecutive requests finds SAP down (a short outage), later a burst of 429s.
Each order must be placed, pending automatic retries, or in review; once the ERP is healthy
the pending ones are placed by the gateway's own retries (at least 95 % of all orders end
placed without operator action, the rest are in review with a reason); after the review is
replayed every order is in the ERP exactly once. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.faults import Fault as SandboxFault
from erp_sandbox.faults import FaultPlan
from erp_sandbox.sap import SandboxSettings, create_app
from process_apis.connections import Connections
from process_apis.errors import FlowError
from process_apis.idempotency.sql_store import SqlIdempotencyStore
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.quarantine.errors import OrderPending, OrderQuarantined
from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.retrier import PendingRetries
from process_apis.quarantine.review import QuarantineReview
from process_apis.quarantine.schedule import RetrySchedule
from process_apis.quarantine.sql_store import SqlQuarantineStore
from system_apis.contracts.errors import ErpError
from system_apis.contracts.queries import PageRequest, ProductFilter
from system_apis.resilience.adapter import ResilientAdapter
from system_apis.resilience.breaker import BreakerState
from system_apis.resilience.policy import ResiliencePolicy
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.fakes.faulty_transport import Fault, FaultyTransport

ORDERS = 1000
CONCURRENCY = 20
PLAN = FaultPlan(
    seed=7,
    faults=(
        SandboxFault(kind="slow", probability=0.05, delay_ms=5),
        SandboxFault(kind="slow", probability=0.003, delay_ms=2500),  # past the call timeout
        SandboxFault(kind="down", probability=0.02, retry_after=0),
        SandboxFault(kind="error_burst", probability=0.03),
        SandboxFault(kind="throttle", probability=0.02, retry_after=1),
        SandboxFault(kind="malformed", probability=0.02),
        SandboxFault(kind="reset_after_write", scope="writes", probability=0.05),
    ),
)
OUTAGE = SandboxFault(kind="down", count=120, retry_after=0)  # 120 requests in a row
THROTTLE_BURST = SandboxFault(kind="throttle", count=60, retry_after=1)
POLICY = ResiliencePolicy(
    timeout=2,
    read_attempts=4,
    write_attempts=3,
    backoff_base=0.001,
    backoff_cap=0.01,
    max_retry_after=0.5,  # a 1 s Retry-After ends the retries: those orders wait as pending
    breaker_window=100,
    breaker_min_calls=50,
    breaker_failure_ratio=0.6,
    breaker_open_seconds=0.05,
    max_concurrency=CONCURRENCY,
)
SCHEDULE = RetrySchedule(base=0.01, cap=0.1, deadline=dt.timedelta(hours=1))


async def test_a_thousand_orders_under_faults(state_engine: AsyncEngine, tmp_path: Path) -> None:
    sandbox_app = create_app(SandboxSettings(data_dir=tmp_path / "sap"))
    sap = sandbox_app.state.sandbox
    customers = [
        row["Customer"]
        for row in sap.rows("A_BusinessPartner")
        if row["Customer"] and not row["BusinessPartnerIsBlocked"]
    ]
    materials = [row["Product"] for row in sap.rows("A_Product")]
    orders_before = sap.count("A_SalesOrder")
    sap.faults.set(PLAN)
    refusing = FaultyTransport(
        httpx.ASGITransport(app=sandbox_app), probabilities={Fault.REFUSED: 0.02}, seed=11
    )
    client = SapODataClient(
        base_url="http://sap.test", username="GATEWAY", password="sandbox", transport=refusing
    )
    erp = ResilientAdapter(SapAdapter(connection="EU01", client=client), POLICY)
    connections = Connections({"EU01": erp})
    quarantine = SqlQuarantineStore(state_engine)
    flow = OrderToInvoice(
        connections, SqlIdempotencyStore(state_engine), quarantine, retries=SCHEDULE
    )
    replayers = Replayers({PLACE_ORDER: OrderReplayer(flow)})
    review = QuarantineReview(quarantine, replayers)
    retries = PendingRetries(quarantine, replayers, SCHEDULE, concurrency=CONCURRENCY)

    commands = [
        PlaceOrder.parse(
            idempotency_key=f"storm-{index:04d}",
            customer_id=f"EU01:{customers[index % len(customers)]}",
            lines=[{"sku": materials[index % len(materials)], "quantity": "1"}],
        )
        for index in range(ORDERS)
    ]
    gate = asyncio.Semaphore(CONCURRENCY)
    outcomes: Counter[str] = Counter()

    async def place(command: PlaceOrder) -> None:
        async with gate:
            try:
                await flow.place_order(command)
                outcomes["placed"] += 1
            except OrderPending:
                outcomes["pending"] += 1
            except OrderQuarantined:
                outcomes["quarantined"] += 1
            except FlowError as exc:  # anything else would be a lost order
                outcomes[f"lost: {type(exc).__name__}: {exc.message}"] += 1

    async def place_all(batch: list[PlaceOrder]) -> None:
        await asyncio.gather(*(place(c) for c in batch))

    async def until_breaker_closed() -> None:
        # Reads through the wrapper are the breaker's probes; random faults may fail some.
        async with asyncio.timeout(30):
            while erp.state is not BreakerState.CLOSED:
                with contextlib.suppress(ErpError):
                    await erp.list_products(ProductFilter(), PageRequest(limit=1))
                await asyncio.sleep(POLICY.breaker_open_seconds)

    # Three phases, each a third of the orders: random faults only; then SAP down for 120
    # requests in a row (the breaker opens, orders wait as pending); then, once the breaker
    # has closed again, a burst of 429s that the orders of the last phase run into.
    first, second = ORDERS * 3 // 10, ORDERS * 6 // 10
    await place_all(commands[:first])
    sap.faults.add(OUTAGE)
    await place_all(commands[first:second])
    sap.faults.end(OUTAGE)
    await until_breaker_closed()
    sap.faults.add(THROTTLE_BURST)
    await place_all(commands[second:])
    stats = sap.faults.stats()
    faults = stats["injected"]
    bursts = {
        rule["kind"]: rule["injected"] for rule in stats["faults"] if rule["remaining"] is not None
    }
    sap.faults.clear()
    counters = erp.counters

    assert outcomes["placed"] + outcomes["pending"] + outcomes["quarantined"] == ORDERS, outcomes
    assert bursts["down"] >= 50, bursts  # the outage and the 429 burst happened
    assert bursts["throttle"] >= 10, bursts
    # The ERP is healthy again: the gateway's own retries place what was pending.
    automatic = 0
    for sweep in range(50):
        report = await retries.run_due(dt.datetime.now(dt.UTC) + dt.timedelta(hours=sweep + 1))
        automatic += report.placed
        if not report.total:
            break
    pending_left = await quarantine.list(QuarantineFilter(QuarantineStatus.PENDING), limit=1)
    in_review = await quarantine.list(QuarantineFilter(QuarantineStatus.OPEN), limit=ORDERS)
    assert pending_left.total == 0
    assert outcomes["placed"] + automatic + in_review.total == ORDERS
    assert outcomes["placed"] + automatic >= ORDERS * 0.95, (outcomes, automatic)
    assert all(record.reason for record in in_review.items)
    assert sum(faults.values()) > 100, faults
    references = [c.external_reference(erp.limits) for c in commands]
    in_erp = Counter(
        row["PurchaseOrderByCustomer"]
        for row in sap.rows("A_SalesOrder")
        if row["PurchaseOrderByCustomer"] in set(references)
    )
    assert max(in_erp.values()) == 1, "an order reached the ERP twice"

    summary = await review.replay_all(patience=30)  # the operator's side: what is left
    replayed = summary.replayed
    assert summary.left == 0
    in_erp = Counter(
        row["PurchaseOrderByCustomer"]
        for row in sap.rows("A_SalesOrder")
        if row["PurchaseOrderByCustomer"] in set(references)
    )
    assert set(in_erp) == set(references)
    assert set(in_erp.values()) == {1}
    assert sap.count("A_SalesOrder") == orders_before + ORDERS
    print(
        f"\norders={ORDERS} placed={outcomes['placed']} pending={outcomes['pending']}"
        f" quarantined={outcomes['quarantined']} placed_by_retries={automatic}"
        f" in_review={in_review.total}"
        f" sandbox_faults={faults} refused={refusing.injected[Fault.REFUSED]}"
        f" attempts={counters.attempts} retries={counters.retries}"
        f" failures={counters.failures} replayed={replayed}"
        f" duplicates={sum(n - 1 for n in in_erp.values())}"
    )
    await erp.aclose()
