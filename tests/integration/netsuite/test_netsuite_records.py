"""The NetSuite sandbox's record service as a client sees it (in-process, signed): records
with expanded sublists, ``eid:`` access, idempotent creates by external id, transforms,
refusals with NetSuite's error body, reset and faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from erp_sandbox.netsuite import Sandbox, SandboxSettings, create_app
from tests.support.netsuite import BASE_URL, token_auth

pytestmark = pytest.mark.integration

RECORDS = "/services/rest/record/v1"
ADMIN = (SandboxSettings().token_id, SandboxSettings().token_secret)


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, Sandbox]]:
    app = create_app()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE_URL, auth=token_auth()
        ) as http,
    ):
        yield http, app.state.sandbox


ORDER: dict[str, Any] = {
    "entity": {"id": "101"},
    "externalId": "GW-REC-1",
    "otherRefNum": "GW-REC-1",
    "item": {"items": [{"item": {"id": "200"}, "quantity": 2, "location": {"id": "1"}}]},
}


async def test_create_answers_204_with_location_and_the_record_reads_back(
    client: tuple[httpx.AsyncClient, Sandbox],
) -> None:
    http, _ = client
    created = await http.post(f"{RECORDS}/salesOrder", json=ORDER)
    assert (created.status_code, created.content) == (204, b"")
    location = created.headers["Location"]
    assert location.startswith(f"{BASE_URL}{RECORDS}/salesOrder/")
    number = location.rsplit("/", 1)[1]

    plain = (await http.get(f"{RECORDS}/salesOrder/{number}")).json()
    assert set(plain["item"]) == {"links"}
    record = (
        await http.get(f"{RECORDS}/salesOrder/eid:GW-REC-1", params={"expandSubResources": "true"})
    ).json()
    assert (record["id"], record["externalId"], record["otherRefNum"]) == (
        number,
        "GW-REC-1",
        "GW-REC-1",
    )
    assert record["status"] == {"id": "B", "refName": "Pending Fulfillment"}
    assert record["entity"]["id"] == "101"
    [line] = record["item"]["items"]
    assert (line["item"]["id"], line["quantity"], line["location"]["id"]) == ("200", 2, "1")
    assert line["amount"] == pytest.approx(2 * line["rate"])

    again = await http.post(f"{RECORDS}/salesOrder", json=ORDER)
    assert again.status_code == 400
    assert again.json()["o:errorDetails"][0]["o:errorCode"] == "DUP_RCRD"


async def test_transforms_create_the_fulfillment_and_the_invoice(
    client: tuple[httpx.AsyncClient, Sandbox],
) -> None:
    http, sandbox = client
    number = (
        (await http.post(f"{RECORDS}/salesOrder", json=ORDER)).headers["Location"].rsplit("/", 1)[1]
    )
    nothing_shipped = await http.post(f"{RECORDS}/salesOrder/{number}/!transform/invoice", json={})
    assert nothing_shipped.status_code == 400
    fulfilled = await http.post(
        f"{RECORDS}/salesOrder/{number}/!transform/itemFulfillment",
        json={"shipStatus": {"id": "C"}},
    )
    assert fulfilled.status_code == 204
    fulfillment = fulfilled.headers["Location"].rsplit("/", 1)[1]
    shipped = (await http.get(f"{RECORDS}/itemFulfillment/{fulfillment}")).json()
    assert shipped["shipStatus"] == {"id": "C", "refName": "Shipped"}
    billed = await http.post(f"{RECORDS}/salesOrder/{number}/!transform/invoice", json={})
    invoice = (await http.get(billed.headers["Location"].removeprefix(BASE_URL))).json()
    assert invoice["status"]["refName"] == "Open"
    assert invoice["taxTotal"] > 0
    assert sandbox.stats()["transactions"] == {
        "SalesOrd": 31,
        "ItemShip": 21,
        "CustInvc": 11,
        "InvAdjst": 0,
    }


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({**ORDER, "externalId": None, "entity": {"id": "99999"}}, "INVALID_KEY_OR_REF", "entity"),
        ({**ORDER, "externalId": None, "item": {"items": []}}, "USER_ERROR", None),
        (
            {
                **ORDER,
                "externalId": None,
                "item": {"items": [{"item": {"id": "200"}, "quantity": 0}]},
            },
            "INVALID_FLD_VALUE",
            "item.items[0].quantity",
        ),
    ],
)
async def test_refusals_are_nserror_bodies_and_write_nothing(
    client: tuple[httpx.AsyncClient, Sandbox], body: dict[str, Any], code: str, path: str | None
) -> None:
    http, sandbox = client
    refused = await http.post(f"{RECORDS}/salesOrder", json=body)
    assert refused.status_code == 400
    error = refused.json()
    assert set(error) == {"type", "title", "status", "o:errorDetails"}
    assert error["o:errorDetails"][0]["o:errorCode"] == code
    assert error["o:errorDetails"][0].get("o:errorPath") == path
    assert sandbox.stats()["transactions"]["SalesOrd"] == 30


async def test_unknown_records_are_404_nonexistent_id(
    client: tuple[httpx.AsyncClient, Sandbox],
) -> None:
    http, _ = client
    for path in ("salesOrder/999999", "customer/eid:nobody", "invoice/abc"):
        missing = await http.get(f"{RECORDS}/{path}")
        assert missing.status_code == 404
        assert missing.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


async def test_reset_restores_the_demo_data_and_faults_are_set_over_http(
    client: tuple[httpx.AsyncClient, Sandbox],
) -> None:
    http, sandbox = client
    await http.post(f"{RECORDS}/salesOrder", json=ORDER)
    assert (await http.post("/sandbox/reset", auth=ADMIN)).json()["transactions"]["SalesOrd"] == 30
    assert (await http.post("/sandbox/reset")).status_code == 401
    plan = {"faults": [{"kind": "error_burst", "count": 1, "statuses": [502]}]}
    assert (await http.post("/sandbox/faults", json=plan, auth=ADMIN)).status_code == 200
    failed = await http.get(f"{RECORDS}/customer")
    assert failed.status_code == 502
    assert failed.headers["x-sandbox-fault"] == "error_burst"
    assert (await http.get(f"{RECORDS}/customer")).status_code == 200
    assert sandbox.faults.stats()["injected"]["error_burst"] == 1
