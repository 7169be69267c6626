"""A warehouse pushes a signed goods receipt to a running gateway: SAP's stock rises once,
GraphQL shows the new level, and a redelivery changes nothing. Real processes: the SAP
sandbox and the gateway, over loopback HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from process_apis.inventory_sync.flow import movement_reference
from system_apis.sap.mapping.defaults import SAP_LIMITS
from tests.e2e.processes import command, free_port

SAP_AUTH = ("GATEWAY", "sandbox")
SECRET = "whsec_" + base64.b64encode(b"warehouse-signing-secret-0123456").decode()
SKU, PLANT, SLOC = "TG11", "1010", "0001"
LOCATION = f"{PLANT}/{SLOC}"
QUARANTINE = """
query Kept { quarantine(filter: {kind: "inbound_event"}) {
  nodes { id kind connection status reason payload erpError { code message } } } }"""
EDIT = """
mutation Edit($id: ID!, $payload: JSON!) {
  editQuarantinedRecord(id: $id, payload: $payload) { errors { message } } }"""
REPLAY = """
mutation Replay($id: ID!) {
  replayQuarantinedRecord(id: $id) { record { status resolution { result } } errors { message } }
}"""
INVENTORY = """
query Level($filter: InventoryFilter) {
  inventory(filter: $filter) { nodes { sku location quantity { value unit } } }
}"""


@dataclass
class Stack:
    sap: str
    gateway: str

    def graphql_level(self) -> Decimal:
        response = httpx.post(
            f"{self.gateway}/graphql",
            json={"query": INVENTORY, "variables": {"filter": {"sku": SKU, "location": LOCATION}}},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        [node] = body["data"]["inventory"]["nodes"]
        return Decimal(node["quantity"]["value"])

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.gateway}/graphql", json={"query": query, "variables": variables}, timeout=30
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def sap_level(self) -> Decimal:
        response = httpx.get(
            f"{self.sap}/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod",
            params={
                "$filter": f"Material eq '{SKU}' and Plant eq '{PLANT}' "
                f"and StorageLocation eq '{SLOC}'",
                "$format": "json",
            },
            auth=SAP_AUTH,
        )
        response.raise_for_status()
        rows = response.json()["d"]["results"]
        return sum((Decimal(r["MatlWrhsStkQtyInMatlBaseUnit"]) for r in rows), Decimal(0))

    def sap_documents(self, reference: str) -> int:
        response = httpx.get(
            f"{self.sap}/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader",
            params={"$filter": f"MaterialDocumentHeaderText eq '{reference}'", "$format": "json"},
            auth=SAP_AUTH,
        )
        response.raise_for_status()
        return len(response.json()["d"]["results"])

    def push(self, webhook_id: str, envelope: dict[str, Any]) -> httpx.Response:
        body = json.dumps(envelope)
        now = dt.datetime.now(dt.UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(SECRET).sign(webhook_id, now, body),
        }
        return httpx.post(
            f"{self.gateway}/webhooks/inbound/wms-main", content=body, headers=headers, timeout=30
        )


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    sap_port, gw_port = free_port(), free_port()
    sap, gateway = f"http://127.0.0.1:{sap_port}", f"http://127.0.0.1:{gw_port}"
    connection = {"name": "EU01", "kind": "sap", "base_url": sap,
                  "username": "GATEWAY", "password": "sandbox"}  # fmt: skip
    inbound = {
        "poll_interval_seconds": 0.5,
        "sources": [{"name": "wms-main", "kind": "wms", "secret": SECRET, "connection": "EU01"}],
    }
    env = {
        "ERP_GATEWAY_CONNECTIONS": json.dumps([connection]),
        "ERP_GATEWAY_INBOUND": json.dumps(inbound),
        "ERP_GATEWAY_GRAPHIQL": "false",
    }
    sandbox_args = ["sandbox", "sap", "--port", str(sap_port), "--data-dir", str(tmp_path / "sap")]
    gw_args = ["serve", "--port", str(gw_port), "--data-dir", str(tmp_path / "gw")]
    with (
        command(sandbox_args, f"{sap}/sandbox/stats"),
        command(gw_args, f"{gateway}/health", env=env),
    ):
        yield Stack(sap=sap, gateway=gateway)


def wait_for(condition: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.2)


def test_a_signed_goods_receipt_raises_sap_stock_once(stack: Stack) -> None:
    before = stack.graphql_level()
    assert stack.sap_level() == before
    webhook_id = f"msg_{uuid.uuid4().hex}"
    receipt = {"type": "wms.goods_received",
               "data": {"sku": SKU, "location": LOCATION, "quantity": "7"}}  # fmt: skip

    response = stack.push(webhook_id, receipt)

    assert response.status_code == 202, response.text
    assert response.json()["status"] == "accepted"
    wait_for(lambda: stack.graphql_level() == before + 7, "stock not raised in GraphQL")
    assert stack.sap_level() == before + 7
    reference = movement_reference("wms-main", webhook_id, SAP_LIMITS)
    assert stack.sap_documents(reference) == 1

    again = stack.push(webhook_id, receipt)
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "id": response.json()["id"]}
    time.sleep(1.5)  # three processor ticks: a second posting would show by now
    assert stack.sap_documents(reference) == 1
    assert stack.sap_level() == before + 7
    assert stack.graphql_level() == before + 7


def test_a_receipt_signed_with_another_secret_changes_nothing(stack: Stack) -> None:
    before = stack.sap_level()
    body = json.dumps({"type": "wms.goods_received",
                       "data": {"sku": SKU, "location": LOCATION, "quantity": "7"}})  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    forged = "whsec_" + base64.b64encode(b"not-the-warehouse-secret-0123456").decode()
    response = httpx.post(
        f"{stack.gateway}/webhooks/inbound/wms-main",
        content=body,
        headers={
            "webhook-id": "msg_forged",
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(forged).sign("msg_forged", now, body),
        },
    )
    assert response.status_code == 401
    time.sleep(1.0)
    assert stack.sap_level() == before


def test_an_issue_sap_refuses_is_quarantined_then_corrected_and_replayed(stack: Stack) -> None:
    before = stack.sap_level()
    webhook_id = f"msg_{uuid.uuid4().hex}"
    data = {"sku": SKU, "location": LOCATION, "quantity": str(before + 1000)}
    too_much = {"type": "wms.goods_issued", "data": data}

    accepted = stack.push(webhook_id, too_much)

    assert accepted.status_code == 202
    wait_for(lambda: stack.gql(QUARANTINE)["quarantine"]["nodes"], "the issue not quarantined")
    [record] = stack.gql(QUARANTINE)["quarantine"]["nodes"]
    assert (record["kind"], record["connection"], record["status"]) == (
        "inbound_event", "EU01", "OPEN",
    )  # fmt: skip
    assert record["erpError"] is not None
    assert record["payload"]["webhook_id"] == webhook_id
    assert record["payload"]["data"]["quantity"] == str(before + 1000)
    assert stack.sap_level() == before

    corrected = dict(record["payload"])
    corrected["data"] = {**corrected["data"], "quantity": "2"}
    assert stack.gql(EDIT, id=record["id"], payload=corrected)["editQuarantinedRecord"] == {
        "errors": []
    }
    replayed = stack.gql(REPLAY, id=record["id"])["replayQuarantinedRecord"]

    assert replayed["errors"] == []
    assert replayed["record"]["status"] == "REPLAYED"
    assert replayed["record"]["resolution"]["result"] == accepted.json()["id"]
    assert stack.sap_level() == before - 2
    assert stack.sap_documents(movement_reference("wms-main", webhook_id, SAP_LIMITS)) == 1
    wait_for(lambda: stack.graphql_level() == before - 2, "GraphQL does not show the issue")
