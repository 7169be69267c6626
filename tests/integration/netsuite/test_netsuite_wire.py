"""The NetSuite adapter and sandbox over real HTTP (uvicorn in a thread): Token-Based
Authentication refusals, paging of record collections and SuiteQL, the concurrency limit,
and a create whose answer is lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

from erp_sandbox.faults import Fault, FaultPlan
from erp_sandbox.netsuite import Sandbox, SandboxSettings, create_app
from system_apis.contracts import errors
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import (
    CustomerFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.e2e.processes import command, free_port
from tests.integration.events.test_relay_lease import until
from tests.integration.sandbox.test_faults_http import served
from tests.support.netsuite import netsuite_adapter

pytestmark = pytest.mark.integration

SETTINGS = SandboxSettings(concurrency_limit=1)
CUSTOMERS = "/services/rest/record/v1/customer"
SUITEQL = "/services/rest/query/v1/suiteql"


@pytest.fixture
def server() -> Iterator[tuple[str, Sandbox]]:
    app = create_app(SETTINGS)
    sandbox: Sandbox = app.state.sandbox
    try:
        with served(app) as url:
            yield url, sandbox
    finally:
        sandbox.close()


def signer(**overrides: Any) -> Client:
    values: dict[str, Any] = {
        "client_key": SETTINGS.consumer_key,
        "client_secret": SETTINGS.consumer_secret,
        "resource_owner_key": SETTINGS.token_id,
        "resource_owner_secret": SETTINGS.token_secret,
        "signature_method": SIGNATURE_HMAC_SHA256,
        "realm": SETTINGS.account_id,
    }
    values.update(overrides)
    return Client(**values)


def get(url: str, client: Client) -> httpx.Response:
    _, headers, _ = client.sign(url, "GET")
    return httpx.get(url, headers=headers)


def test_a_signed_request_passes_and_each_refusal_is_netsuites_401(
    server: tuple[str, Sandbox],
) -> None:
    url, sandbox = server
    target = f"{url}{CUSTOMERS}?limit=5&offset=0"
    assert get(target, signer()).status_code == 200

    wrong_secret = get(target, signer(resource_owner_secret="guessed"))
    wrong_realm = get(target, signer(realm="OTHER_ACCOUNT"))
    sha1 = get(target, signer(signature_method="HMAC-SHA1"))
    old = get(target, signer(timestamp=str(int(time.time()) - 3600)))
    replay = signer(nonce="fixed-nonce-1", timestamp=str(int(time.time())))
    assert get(target, replay).status_code == 200
    replayed = get(target, replay)
    # A signature over other query parameters does not authorise this URL.
    _, headers, _ = signer().sign(f"{url}{CUSTOMERS}?limit=5&offset=0", "GET")
    tampered = httpx.get(f"{url}{CUSTOMERS}?limit=5&offset=5", headers=headers)

    for refused in (wrong_secret, wrong_realm, sha1, old, replayed, tampered):
        assert refused.status_code == 401
        body = refused.json()
        assert (body["status"], body["title"]) == (401, "Unauthorized")
        assert body["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    reasons = [r.reason for r in sandbox.tokens.audit]
    assert reasons == [
        "signature does not match",
        "realm is 'OTHER_ACCOUNT'",
        "oauth_signature_method is 'HMAC-SHA1'",
        "timestamp outside the allowed window",
        "nonce already used",
        "signature does not match",
    ]


async def test_the_adapter_with_a_wrong_token_is_refused(server: tuple[str, Sandbox]) -> None:
    url, _ = server
    adapter = netsuite_adapter(None, url, settings=SandboxSettings(token_secret="not-the-secret"))
    try:
        with pytest.raises(errors.AuthenticationFailed):
            await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
    finally:
        await adapter.aclose()


def test_collections_and_suiteql_page_with_limit_offset_and_links(
    server: tuple[str, Sandbox],
) -> None:
    url, _ = server
    page = get(f"{url}{CUSTOMERS}?limit=10&offset=20", signer()).json()
    assert (page["count"], page["offset"], page["totalResults"], page["hasMore"]) == (
        8,
        20,
        28,
        False,
    )
    assert [(link["rel"], link["href"].split("?")[1]) for link in page["links"]] == [
        ("first", "limit=10&offset=0"),
        ("prev", "limit=10&offset=10"),
        ("last", "limit=10&offset=20"),
        ("self", "limit=10&offset=20"),
    ]
    assert all(set(item) == {"links", "id"} for item in page["items"])
    first = get(f"{url}{CUSTOMERS}?limit=10", signer()).json()
    assert first["hasMore"] is True
    assert [link["rel"] for link in first["links"]] == ["next", "last", "self"]
    assert first["links"][0]["href"].endswith("/customer?limit=10&offset=10")
    too_big = get(f"{url}{CUSTOMERS}?limit=1001", signer())
    assert too_big.status_code == 400
    assert too_big.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_PARAMETER"

    query = f"{url}{SUITEQL}?limit=4&offset=4"
    _, headers, _ = signer().sign(query, "POST")
    answer = httpx.post(
        query,
        json={"q": "SELECT id, companyname FROM customer ORDER BY id"},
        headers={**headers, "Prefer": "transient"},
    ).json()
    assert (answer["count"], answer["offset"], answer["totalResults"]) == (4, 4, 28)
    assert [item["id"] for item in answer["items"]] == ["104", "105", "106", "107"]
    assert all(
        isinstance(v, str) for item in answer["items"] for k, v in item.items() if k != "links"
    )
    _, headers, _ = signer().sign(query, "POST")
    not_transient = httpx.post(query, json={"q": "SELECT id FROM customer"}, headers=headers)
    assert not_transient.status_code == 400


@pytest.fixture
async def adapter(server: tuple[str, Sandbox]) -> AsyncIterator[Any]:
    url, _ = server
    built = netsuite_adapter(None, url)
    yield built
    await built.aclose()


async def test_pages_across_netsuites_page_grid_agree_with_the_whole_list(adapter: Any) -> None:
    whole = await adapter.list_customers(CustomerFilter(), PageRequest(limit=1000))
    for offset, limit in ((3, 5), (7, 4), (25, 10), (0, 28)):
        page = await adapter.list_customers(
            CustomerFilter(), PageRequest(offset=offset, limit=limit)
        )
        assert page.items == whole.items[offset : offset + limit]
        assert page.total == 28


async def test_a_request_beyond_the_concurrency_limit_is_throttled(
    server: tuple[str, Sandbox], adapter: Any
) -> None:
    _, sandbox = server
    with sandbox.store.read():  # holds the database: the first request stays in flight
        first = asyncio.create_task(adapter.list_products(ProductFilter(), PageRequest(limit=2)))
        await until(lambda: sandbox.in_flight == 1)
        with pytest.raises(errors.Throttled) as throttled:
            await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
        assert throttled.value.code == "CONCURRENCY_LIMIT_EXCEEDED"
    assert len((await first).items) == 2
    assert sandbox.refused_for_concurrency == 1


async def test_an_injected_throttle_carries_retry_after(
    server: tuple[str, Sandbox], adapter: Any
) -> None:
    _, sandbox = server
    sandbox.faults.set(FaultPlan((Fault("throttle", count=1, retry_after=7),)))
    with pytest.raises(errors.Throttled) as throttled:
        await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
    assert throttled.value.retry_after == 7
    assert (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items


async def test_a_lost_answer_is_unknown_and_the_order_exists_once(
    server: tuple[str, Sandbox], adapter: Any
) -> None:
    _, sandbox = server
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    product = (await adapter.list_products(ProductFilter(), PageRequest(limit=1))).items[0]
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        external_reference="GW-LOST-0001",
        lines=(OrderLineDraft(sku=product.sku, quantity=Decimal(1)),),
    )
    sandbox.faults.set(
        FaultPlan((Fault("reset_after_write", count=1, path="record/v1/salesOrder"),))
    )
    with pytest.raises(errors.UnknownOutcome):
        await adapter.create_sales_order(draft)
    found = await adapter.list_sales_orders(
        SalesOrderFilter(external_reference="GW-LOST-0001"), PageRequest(limit=5)
    )
    assert len(found.items) == 1
    # Sending the draft again is refused by NetSuite as a duplicate external id: the adapter
    # answers the order that holds it, and there is still one.
    again = await adapter.create_sales_order(draft)
    assert again.id == found.items[0].id
    assert sandbox.stats()["transactions"]["SalesOrd"] == 31


async def test_the_sandbox_command_serves_netsuite(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["sandbox", "netsuite", "--port", str(port), "--data-dir", str(tmp_path / "ns")]
    with command(args, f"{url}/sandbox/health"):
        served_adapter = netsuite_adapter(None, url)
        try:
            page = await served_adapter.list_products(ProductFilter(), PageRequest(limit=3))
        finally:
            await served_adapter.aclose()
    assert page.total == 50
    assert [p.sku for p in page.items] == ["NS-1001", "NS-1002", "NS-1003"]
