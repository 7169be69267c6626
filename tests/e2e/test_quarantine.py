"""Nothing accepted is lost: an order placed while SAP is down is quarantined, then placed
exactly once by a replay from a second gateway over the same state, with SAP back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from experience_api.app import create_app
from experience_api.connection_settings import ConnectionSettings
from experience_api.settings import Settings
from process_apis.order_to_invoice.commands import PlaceOrder
from system_apis.sap.mapping.defaults import SAP_LIMITS
from tests.e2e.conftest import Running
from tests.e2e.processes import free_port

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id number }
    errors { __typename code message ... on ErpUnavailableError { quarantineId } }
  }
}"""
LIST = """{ quarantine(filter: {status: OPEN}) {
  totalCount nodes { id kind connection attempts reason erpError { code message } payload } } }"""
REPLAY = """
mutation Replay($id: ID!) {
  replayQuarantinedRecord(id: $id) {
    record { status attempts resolution { result resolvedBy } }
    order { id number }
    errors { __typename code message }
  }
}"""
ORDER = {
    "idempotencyKey": "outage-1",
    "customerId": "EU01:10100001",
    "lines": [{"sku": "TG11", "quantity": "1"}],
}


@asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[Running]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Running(client=client, gateway=app.state.gateway)


def sap_down(data_dir: Path) -> Settings:
    # Nothing listens on this loopback port: every SAP call fails to connect.
    dead = ConnectionSettings(
        name="EU01",
        base_url=f"http://127.0.0.1:{free_port()}",
        username="GATEWAY",
        password="sandbox",  # type: ignore[arg-type]
        timeout_seconds=2,
    )
    # Straight to review, as without automatic retries: the review is what is tested here.
    return Settings(data_dir=data_dir, connections=[dead], pending_retries=False)


def sap_back(data_dir: Path) -> Settings:
    """The same state database, with the built-in SAP sandbox as connection EU01."""
    return Settings(data_dir=data_dir)


async def place(running: Running, order: dict[str, Any] = ORDER) -> dict[str, Any]:
    body = await running.gql(PLACE, {"input": order})
    payload: dict[str, Any] = body["data"]["placeOrder"]
    return payload


async def quarantine_during_outage(data_dir: Path) -> str:
    """Place ORDER while SAP is down; the id of the quarantined record."""
    async with gateway(sap_down(data_dir)) as down:
        first = await place(down)
        assert first["order"] is None
        [error] = first["errors"]
        assert (error["__typename"], error["code"]) == ("ErpUnavailableError", "ERP_UNAVAILABLE")
        assert "quarantine" in error["message"]
        assert "127.0.0.1" not in error["message"]
        record_id: str = error["quarantineId"]

        # The client's retry is answered from the quarantine, whatever SAP does.
        again = await place(down)
        assert again["errors"][0]["quarantineId"] == record_id

        listed = (await down.gql(LIST))["data"]["quarantine"]
        assert listed["totalCount"] == 1
        [node] = listed["nodes"]
        assert (node["id"], node["kind"], node["connection"], node["attempts"]) == (
            record_id,
            "place_order",
            "EU01",
            1,
        )
        assert node["payload"]["idempotency_key"] == ORDER["idempotencyKey"]
        assert node["erpError"]["code"] == "Unavailable"
        assert "127.0.0.1" not in str(node)
    return record_id


def orders_with_reference(running: Running, key: str = ORDER["idempotencyKey"]) -> list[Any]:
    reference = PlaceOrder.parse(
        idempotency_key=key, customer_id="EU01:1", lines=[{"sku": "X", "quantity": 1}]
    ).external_reference(SAP_LIMITS)
    return [
        row
        for row in running.sap.rows("A_SalesOrder")
        if row.get("PurchaseOrderByCustomer") == reference
    ]


async def test_replay_through_graphql_places_the_order_once(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)

    async with gateway(sap_back(tmp_path)) as back:
        assert orders_with_reference(back) == []
        replayed = (await back.gql(REPLAY, {"id": record_id}))["data"]["replayQuarantinedRecord"]
        assert replayed["errors"] == []
        order = replayed["order"]
        assert replayed["record"] == {
            "status": "REPLAYED",
            "attempts": 2,
            "resolution": {"result": order["id"], "resolvedBy": "graphql:local-developer"},
        }
        assert len(orders_with_reference(back)) == 1

        # A client retry now gets the replayed order; a second replay is refused.
        assert (await place(back))["order"] == order
        again = (await back.gql(REPLAY, {"id": record_id}))["data"]["replayQuarantinedRecord"]
        assert again["errors"][0]["code"] == "INVALID_STATE"
        assert len(orders_with_reference(back)) == 1
        assert (await back.gql(LIST))["data"]["quarantine"]["totalCount"] == 0
