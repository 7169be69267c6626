"""``erp-gateway sandbox business-central`` runs the sandbox alone: the adapter reaches it over
the network with a client credential of the command line's, and a fault plan given there."""

from __future__ import annotations

import json

import pytest

from erp_sandbox.business_central.settings import TENANT
from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.contracts import errors
from system_apis.contracts.queries import CustomerFilter, PageRequest
from tests.e2e.processes import command, free_port

pytestmark = pytest.mark.integration


async def test_the_sandbox_command_serves_the_api_and_its_fault_plan() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    plan = json.dumps({"faults": [{"kind": "throttle", "retry_after": 3, "count": 1}]})
    args = ["sandbox", "business-central", "--port", str(port), "--client-id", "erp",
            "--client-secret", "s3cret", "--faults", plan]  # fmt: skip
    with command(args, f"{base}/sandbox/health"):
        client = BcClient(api_url=base, login_url=base, tenant=TENANT, environment="production",
                          company="CRONUS International Ltd.", client_id="erp",
                          client_secret="s3cret", timeout=10)  # fmt: skip
        adapter = BusinessCentralAdapter("BC01", client)
        try:
            with pytest.raises(errors.Throttled):
                await adapter.list_customers(CustomerFilter(), PageRequest(limit=5))
            page = await adapter.list_customers(CustomerFilter(), PageRequest(limit=5))
        finally:
            await adapter.aclose()
    assert page.total == 30
    assert len(page.items) == 5
