"""Cancelling a SAP order: a PATCH of each item's reason for rejection, checks before writes."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sap_payloads import DELIVERY, SALES_ORDER, sap_error

from system_apis.contracts.errors import CancelRefusal, NotCancellable, UnknownOutcome
from system_apis.contracts.models import OrderStatus
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.unit.sap.test_sap_adapter import ScriptedSap, collection, odata

pytestmark = pytest.mark.unit

ITEM = "A_SalesOrderItem(SalesOrder='4711',SalesOrderItem='{}')"


@pytest.fixture
def sap() -> ScriptedSap:
    return ScriptedSap()


@pytest.fixture
async def adapter(sap: ScriptedSap) -> AsyncIterator[SapAdapter]:
    client = SapODataClient(
        "https://s4.example.com",
        username="GATEWAY",
        password="secret",
        transport=httpx.MockTransport(sap),
    )
    adapter = SapAdapter("s4", client, rejection_reason="Z1")
    yield adapter
    await adapter.aclose()


def order(rejection: str = "A", item_reason: str = "", delivery: str = "A") -> dict[str, Any]:
    header = copy.deepcopy(SALES_ORDER)
    header["OverallSDDocumentRejectionSts"] = rejection
    for item in header["to_Item"]["results"]:
        item["SalesDocumentRjcnReason"] = item_reason
        item["DeliveryStatus"] = delivery
    return header


@pytest.fixture(autouse=True)
def nothing_billed(sap: ScriptedSap) -> None:
    sap.on("GET", "A_BillingDocumentItem", collection())


def patches(sap: ScriptedSap) -> list[httpx.Request]:
    return [r for r in sap.requests if r.method == "PATCH"]


async def test_every_item_gets_the_connections_reason(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    reads = iter([order(), order(rejection="C", item_reason="Z1")])
    sap.on("GET", "A_SalesOrder('4711')", lambda request: odata(next(reads)))
    for item in ("10", "20"):
        sap.on("PATCH", ITEM.format(item), httpx.Response(204))

    cancelled = await adapter.cancel_order("4711", "not written to SAP")

    assert cancelled.status is OrderStatus.CANCELLED
    sent = patches(sap)
    assert sorted(unquote(r.url.path).rsplit("/", 1)[-1] for r in sent) == [
        ITEM.format("10"),
        ITEM.format("20"),
    ]
    assert all(json.loads(r.content) == {"SalesDocumentRjcnReason": "Z1"} for r in sent)
    assert all("If-Match" not in r.headers for r in sent)  # the item type has no ETag
    assert len(sap.batches) == 1, "the items are rejected in one changeset"
    assert sap.batches[0].headers["X-CSRF-Token"] == "tok"


async def test_without_batch_each_item_is_a_patch_of_its_own(sap: ScriptedSap) -> None:
    client = SapODataClient(
        "https://s4.example.com", transport=httpx.MockTransport(sap), batch=False
    )
    adapter = SapAdapter("s4", client, rejection_reason="Z1")
    reads = iter([order(), order(rejection="C", item_reason="Z1")])
    sap.on("GET", "A_SalesOrder('4711')", lambda request: odata(next(reads)))
    for item in ("10", "20"):
        sap.on("PATCH", ITEM.format(item), httpx.Response(204))
    try:
        cancelled = await adapter.cancel_order("4711")
    finally:
        await adapter.aclose()

    assert cancelled.status is OrderStatus.CANCELLED
    assert len(patches(sap)) == 2
    assert sap.batches == []


async def test_an_item_sap_refuses_in_the_changeset_is_a_refusal(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_SalesOrder('4711')", odata(order()))
    sap.on("PATCH", ITEM.format("10"), httpx.Response(204))
    message = "Item 20 of sales order 4711 cannot be rejected: a delivery references it"
    sap.on("PATCH", ITEM.format("20"), httpx.Response(400, json=sap_error("V1/377", message)))

    with pytest.raises(NotCancellable) as refused:
        await adapter.cancel_order("4711")

    assert refused.value.refusal is CancelRefusal.IN_DELIVERY
    assert "Item 20" in refused.value.message
    assert len(sap.batches) == 1


async def test_a_cancelled_order_is_answered_without_a_write(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_SalesOrder('4711')", odata(order(rejection="C", item_reason="Z1")))

    assert (await adapter.cancel_order("4711")).status is OrderStatus.CANCELLED
    assert patches(sap) == []


async def test_an_order_in_a_delivery_is_refused_before_any_write(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_SalesOrder('4711')", odata(order(delivery="C")))
    waiting = DELIVERY  # no goods issue yet (OverallGoodsMovementStatus A)
    sap.on("GET", "A_OutbDeliveryItem", collection({"DeliveryDocument": "80000001"}))
    sap.on("GET", "A_OutbDeliveryHeader", collection(waiting, count=1))

    with pytest.raises(NotCancellable) as refused:
        await adapter.cancel_order("4711")

    assert refused.value.refusal is CancelRefusal.IN_DELIVERY
    assert "80000001" in refused.value.message
    assert patches(sap) == []


def losing_the_batch_answer(sap: ScriptedSap) -> httpx.MockTransport:
    """SAP acts on every request; the answer of a ``$batch`` is lost on the way back."""

    def handle(request: httpx.Request) -> httpx.Response:
        answer = sap(request)
        if request.url.path.endswith("/$batch"):
            raise httpx.ReadTimeout("answer lost", request=request)
        return answer

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("went_through", [True, False])
async def test_a_lost_changeset_answer_is_decided_by_reading_the_order(
    sap: ScriptedSap, went_through: bool
) -> None:
    adapter = SapAdapter(
        "s4",
        SapODataClient("https://s4.example.com", transport=losing_the_batch_answer(sap)),
        rejection_reason="Z1",
    )
    after = order(rejection="C", item_reason="Z1") if went_through else order()
    reads = iter([order(), after, after])
    sap.on("GET", "A_SalesOrder('4711')", lambda request: odata(next(reads)))
    for item in ("10", "20"):
        sap.on("PATCH", ITEM.format(item), httpx.Response(204))
    try:
        if went_through:
            assert (await adapter.cancel_order("4711")).status is OrderStatus.CANCELLED
        else:
            with pytest.raises(UnknownOutcome):
                await adapter.cancel_order("4711")
    finally:
        await adapter.aclose()
    assert len(sap.batches) == 1, "the changeset is not sent twice"
