"""1,000 orders through the process layer while the ERP misbehaves: none lost, none doubled.

The SAP sandbox injects, at random with a fixed seed, outages (503), 5xx bursts, 429 with
Retry-After, slow answers, malformed bodies and lost answers to writes it did commit; an
httpx transport in front of it refuses some connections. Each order must end in the ERP or
in the quarantine; after the faults stop and the quarantine is replayed, every order is in
the ERP exactly once. Runs on SQLite and on PostgreSQL as the gateway's state.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.sap import SandboxSettings, create_app
from erp_sandbox.sap.faults import Fault as SandboxFault
from erp_sandbox.sap.faults import FaultPlan
from process_apis.connections import Connections
from process_apis.errors import FlowError
from process_apis.idempotency.sql_store import SqlIdempotencyStore
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.quarantine.errors import OrderQuarantined
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.review import QuarantineReview
from process_apis.quarantine.sql_store import SqlQuarantineStore
from system_apis.resilience.adapter import ResilientAdapter
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
        SandboxFault(kind="down", probability=0.02, retry_after=0),
        SandboxFault(kind="error_burst", probability=0.03),
        SandboxFault(kind="throttle", probability=0.02, retry_after=1),
        SandboxFault(kind="malformed", probability=0.02),
        SandboxFault(kind="reset_after_write", scope="writes", probability=0.05),
    ),
)
POLICY = ResiliencePolicy(
    timeout=10,
    read_attempts=4,
    write_attempts=3,
    backoff_base=0.001,
    backoff_cap=0.01,
    max_retry_after=0.5,  # a 1 s Retry-After ends the retries: those orders test the quarantine
    breaker_window=100,
    breaker_min_calls=50,
    breaker_failure_ratio=0.6,
    breaker_open_seconds=0.05,
    max_concurrency=CONCURRENCY,
)


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
    flow = OrderToInvoice(connections, SqlIdempotencyStore(state_engine), quarantine)
    review = QuarantineReview(quarantine, Replayers({PLACE_ORDER: OrderReplayer(flow)}))

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
            except OrderQuarantined:
                outcomes["quarantined"] += 1
            except FlowError as exc:  # anything else would be a lost order
                outcomes[f"lost: {type(exc).__name__}: {exc.message}"] += 1

    await asyncio.gather(*(place(c) for c in commands))
    faults = sap.faults.stats()["injected"]
    sap.faults.clear()
    counters = erp.counters

    assert outcomes["placed"] + outcomes["quarantined"] == ORDERS, outcomes
    assert sum(faults.values()) > 100, faults
    references = [c.external_reference(erp.limits) for c in commands]
    in_erp = Counter(
        row["PurchaseOrderByCustomer"]
        for row in sap.rows("A_SalesOrder")
        if row["PurchaseOrderByCustomer"] in set(references)
    )
    assert max(in_erp.values()) == 1, "an order reached the ERP twice"

    replayed = 0
    for _ in range(5):  # a run stops a connection's replays at its first failure
        summary = await review.replay_all()
        replayed += summary.replayed
        if not summary.failed and not summary.skipped:
            break
    in_erp = Counter(
        row["PurchaseOrderByCustomer"]
        for row in sap.rows("A_SalesOrder")
        if row["PurchaseOrderByCustomer"] in set(references)
    )
    assert set(in_erp) == set(references)
    assert set(in_erp.values()) == {1}
    assert sap.count("A_SalesOrder") == orders_before + ORDERS
    print(
        f"\norders={ORDERS} placed={outcomes['placed']} quarantined={outcomes['quarantined']}"
        f" sandbox_faults={faults} refused={refusing.injected[Fault.REFUSED]}"
        f" attempts={counters.attempts} retries={counters.retries}"
        f" failures={counters.failures} replayed={replayed}"
        f" duplicates={sum(n - 1 for n in in_erp.values())}"
    )
    await erp.aclose()
