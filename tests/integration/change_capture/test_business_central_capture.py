"""The change-capture poller against the Business Central sandbox and a real state database:
an order placed, shipped and invoiced in BC becomes its order, invoice and stock events, each
once, also after a restart of the poller."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.business_central import SandboxSettings, create_app
from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.business_central.connector import EMBEDDED_TENANT
from tests.integration.change_capture.order_scenario import order_is_staged_once

pytestmark = pytest.mark.integration


@pytest.fixture
async def adapter() -> AsyncIterator[BusinessCentralAdapter]:
    app = create_app(SandboxSettings())
    client = BcClient(
        api_url="http://bc.test",
        login_url="http://bc.test",
        tenant=EMBEDDED_TENANT,
        environment="production",
        company="CRONUS International Ltd.",
        client_id="gateway",
        client_secret="sandbox",
        transport=httpx.ASGITransport(app=app),
    )
    bc = BusinessCentralAdapter("BC01", client)
    yield bc
    await bc.aclose()


async def test_an_order_through_to_invoice_is_staged_once(
    state_engine: AsyncEngine, adapter: BusinessCentralAdapter
) -> None:
    await order_is_staged_once(state_engine, "BC01", adapter, external_reference="GWcapture-0001")
