"""SapAdapter's customer credit limits against the sandbox's credit management service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.queries import CustomerFilter, PageRequest
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
CREDIT = frozenset({CustomerDetail.CREDIT_LIMIT})


@pytest.fixture
async def sap(tmp_path: Path) -> AsyncIterator[tuple[SapAdapter, RecordingTransport]]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            "http://sap.test", username=USER, password=PASSWORD, transport=transport
        )
        adapter = SapAdapter("EU01", client)
        yield adapter, transport
        await adapter.aclose()


def _credit_reads(transport: RecordingTransport) -> list[str]:
    return [url for url in transport.urls if "API_CRDTMBUSINESSPARTNER" in url]


async def test_a_page_of_customers_gets_its_limits_in_one_request(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, transport = sap
    page = await adapter.list_customers(
        CustomerFilter(details=CREDIT), PageRequest(offset=0, limit=10)
    )
    assert [c.native_id for c in page.items] == [str(10100001 + i) for i in range(10)]
    assert len(_credit_reads(transport)) == 1
    limits = {c.native_id: c.credit_limit for c in page.items}
    # German organisation: the main segment 0000 in EUR wins over its company segment 1010.
    mueller = limits["10100001"]
    assert mueller is not None
    assert (mueller.credit_segment, mueller.amount.currency) == ("0000", "EUR")
    assert Decimal(25_000) <= mueller.amount.amount <= Decimal(500_000)
    # US customers have only the segment of company 1710, in USD.
    brightwater = limits["10100007"]
    assert brightwater is not None
    assert (brightwater.credit_segment, brightwater.amount.currency) == ("1710", "USD")
    # A person gets a small limit.
    person = limits["10100005"]
    assert person is not None
    assert person.amount.amount <= Decimal(8_000)


async def test_limits_of_every_customer_and_the_edge_cases(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, transport = sap
    page = await adapter.list_customers(CustomerFilter(details=CREDIT), PageRequest(limit=100))
    assert page.total == 28 == len(page.items)
    assert len(_credit_reads(transport)) == 1
    limits = {c.native_id: c.credit_limit for c in page.items}
    assert limits["10100017"] is None  # no credit account
    assert limits["10100020"] is None
    blocked = limits["10100028"]
    assert blocked is not None
    assert blocked.blocked
    assert blocked.amount.amount == 0
    assert sum(1 for limit in limits.values() if limit is not None) == 26
    assert {limit.amount.currency for limit in limits.values() if limit} == {"EUR", "USD"}


async def test_without_the_detail_credit_management_is_never_asked(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, transport = sap
    page = await adapter.list_customers(CustomerFilter(), PageRequest(limit=100))
    assert page.items
    assert all(c.credit_limit is None for c in page.items)
    by_id = await adapter.list_customers(
        CustomerFilter(native_ids=["10100001", "10100007"]), PageRequest(limit=10)
    )
    assert all(c.credit_limit is None for c in by_id.items)
    assert _credit_reads(transport) == []


async def test_an_empty_page_asks_nothing(sap: tuple[SapAdapter, RecordingTransport]) -> None:
    adapter, transport = sap
    page = await adapter.list_customers(
        CustomerFilter(native_ids=["99999999"], details=CREDIT), PageRequest(limit=10)
    )
    assert page.items == ()
    assert _credit_reads(transport) == []
