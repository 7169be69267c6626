"""The change-capture poller against the NetSuite sandbox (SuiteQL over
httpx.ASGITransport) and a real state database: an order placed, shipped, billed and paid in
NetSuite becomes its events, each once, also after a restart of the poller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.netsuite import SandboxSettings, create_app
from system_apis.netsuite.adapter import NetSuiteAdapter
from tests.integration.change_capture.order_scenario import order_is_staged_once
from tests.support.netsuite import BASE_URL, netsuite_adapter

pytestmark = pytest.mark.integration

ADMIN = (SandboxSettings().token_id, SandboxSettings().token_secret)


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[Any, NetSuiteAdapter]]:
    app = create_app()
    async with app.router.lifespan_context(app):
        adapter = netsuite_adapter(httpx.ASGITransport(app=app))
        yield app, adapter
        await adapter.aclose()


async def test_an_order_through_to_payment_is_staged_once(
    state_engine: AsyncEngine, sandbox: tuple[Any, NetSuiteAdapter]
) -> None:
    app, adapter = sandbox

    async def mark_paid(invoice: str) -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE_URL, auth=ADMIN
        ) as client:
            response = await client.post(f"/sandbox/invoices/{invoice}/paid")
            response.raise_for_status()

    await order_is_staged_once(state_engine, "NS01", adapter, mark_paid=mark_paid)
