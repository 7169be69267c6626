"""The adapters under contract: every ERP adapter, and the in-memory fake the unit tests use.

Each entry builds a live adapter (SAP over the SAP sandbox, NetSuite over the NetSuite
sandbox, Tryton over a real trytond)
and an unreachable twin, so the same tests run against all of them.

A test runs on the adapters that have the capabilities it is marked with
(``@pytest.mark.needs(Capability.READ_EMPLOYEES)``); unmarked, on those that read customers,
products and sales orders (SuccessFactors, which holds employees only, is skipped there).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from erp_sandbox import netsuite as netsuite_sandbox
from erp_sandbox.business_central import SandboxSettings as BcSandboxSettings
from erp_sandbox.business_central import create_app as create_bc_app
from erp_sandbox.sap import SandboxSettings, create_app
from erp_sandbox.tryton.server import RunningTryton
from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.business_central.connector import EMBEDDED_TENANT
from system_apis.contracts import errors
from system_apis.contracts.port import Capability, ErpAdapter
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from system_apis.sap.successfactors import API_ROOT as SF_API_ROOT
from system_apis.sap.successfactors import EMBEDDED_USER as SF_USER
from system_apis.successfactors.adapter import SuccessFactorsAdapter
from system_apis.tryton.adapter import TrytonAdapter
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.settings import TrytonSettings
from tests.e2e.processes import free_port
from tests.fakes.memory_erp import MemoryErp
from tests.support.netsuite import netsuite_adapter


@dataclass
class Subject:
    adapter: ErpAdapter
    stock: Callable[[str, str], Decimal]
    """Stock of a sku at a location, read from the ERP itself (not through the adapter)."""
    unreachable: ErpAdapter
    storage: Callable[[str], bool] = lambda location: "/" in location
    """Whether a location holds stock goods movements take (not a plant's or warehouse's
    total over its storage locations)."""


def _memory() -> Subject:
    erp = MemoryErp("MEM")
    for index in range(1, 8):
        erp.add_customer(f"{index:03d}", f"Customer {index} GmbH")
        if index != 7:  # the last one has no credit account, as some SAP customers
            erp.set_credit_limit(f"{index:03d}", f"{index * 25000}.00")
    for index in range(1, 6):
        erp.add_product(f"SKU-{index}", f"Product {index}", "10.00", {"WH/A": "50", "WH/B": "5"})
    for index in range(1, 4):
        erp.add_employee(
            f"E{index}", f"Employee {index}", salary="50000", iban="DE89370400440532013000"
        )
    down = MemoryErp("MEM")
    for method in ("list_customers", "list_products", "list_inventory", "list_sales_orders",
                   "get_sales_order", "create_sales_order"):  # fmt: skip
        down.fail_with[method] = lambda: errors.Unavailable("connection refused")
    return Subject(erp, lambda sku, location: erp.stock[(sku, location)], down)


def _sap_adapter(transport: httpx.AsyncBaseTransport | None, base_url: str) -> SapAdapter:
    client = SapODataClient(
        base_url=base_url, username="GATEWAY", password="sandbox", transport=transport, timeout=5
    )
    adapter = SapAdapter(connection="EU01", client=client)
    # Paired as the composition root pairs it with a SuccessFactors connection.
    adapter.read_employees_from(_sf_adapter("EU01", transport, base_url))
    return adapter


def _sf_adapter(
    connection: str, transport: httpx.AsyncBaseTransport | None, base_url: str
) -> SuccessFactorsAdapter:
    client = SapODataClient(
        base_url=base_url,
        username=SF_USER,
        password="sandbox",
        transport=transport,
        timeout=5,
        service_path=SF_API_ROOT,
    )
    return SuccessFactorsAdapter(connection, client)


def _sap(tmp_path: Path) -> Subject:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap"))
    sandbox = app.state.sandbox
    live = _sap_adapter(httpx.ASGITransport(app=app), "http://sap.test")
    dead = _sap_adapter(None, f"http://127.0.0.1:{free_port()}")
    return Subject(live, lambda sku, location: sandbox.stock(sku, *location.split("/")), dead)


def _successfactors(tmp_path: Path) -> Subject:
    # The SAP sandbox serves SuccessFactors' OData v2 API at /odata/v2, as its own system.
    app = create_app(SandboxSettings(data_dir=tmp_path / "sf"))
    live = _sf_adapter("SF01", httpx.ASGITransport(app=app), "http://sf.test")
    dead = _sf_adapter("SF01", None, f"http://127.0.0.1:{free_port()}")

    def no_stock(sku: str, location: str) -> Decimal:
        raise AssertionError("SuccessFactors holds no stock")

    return Subject(live, no_stock, dead)


# What a deployed connection waits per request (TrytonSettings.timeout_seconds). trytond runs
# the work its calls queue (the invoice report a post renders, the processing a confirmation
# starts) inside the same request when no queue worker is configured, as here and by default:
# seconds of CPU on a busy machine, so a tighter test-only limit fails on load, not on a defect.
DEPLOYED_TIMEOUT: float = TrytonSettings.model_fields["timeout_seconds"].default


def _tryton(request: pytest.FixtureRequest) -> Subject:
    server: RunningTryton = request.getfixturevalue("tryton_fresh")
    rpc = server.rpc()
    request.addfinalizer(rpc.close)

    def tryton_client(base_url: str) -> TrytonClient:
        return TrytonClient(
            base_url, server.database, "admin", server.admin_password, timeout=DEPLOYED_TIMEOUT
        )

    live = TrytonAdapter("US01", tryton_client(server.url))
    dead = TrytonAdapter("US01", tryton_client(f"http://127.0.0.1:{free_port()}"))
    # Locations read "WH/STO": Tryton knows the storage location by its code.
    return Subject(live, lambda sku, location: rpc.stock(sku, location.split("/")[-1]), dead)


def _bc_adapter(
    transport: httpx.AsyncBaseTransport | None, base_url: str
) -> BusinessCentralAdapter:
    client = BcClient(
        api_url=base_url,
        login_url=base_url,
        tenant=EMBEDDED_TENANT,
        environment="production",
        company="CRONUS International Ltd.",
        client_id="gateway",
        client_secret="sandbox",
        transport=transport,
        timeout=5,
    )
    return BusinessCentralAdapter("BC01", client)


def _business_central() -> Subject:
    app = create_bc_app(BcSandboxSettings(tenant=EMBEDDED_TENANT))
    sandbox = app.state.sandbox  # type: ignore[attr-defined]
    live = _bc_adapter(httpx.ASGITransport(app=app), "http://bc.test")
    dead = _bc_adapter(None, f"http://127.0.0.1:{free_port()}")
    # BC's location codes name a warehouse's stock: every level is one a shipment can take.
    return Subject(live, sandbox.stock, dead, storage=lambda location: True)


def _netsuite(tmp_path: Path) -> Subject:
    app = netsuite_sandbox.create_app()
    sandbox = app.state.sandbox
    live = netsuite_adapter(httpx.ASGITransport(app=app))
    dead = netsuite_adapter(None, f"http://127.0.0.1:{free_port()}")
    return Subject(live, sandbox.stock, dead)


FACTORIES: dict[str, Callable[[pytest.FixtureRequest, Path], Subject]] = {
    "memory": lambda request, tmp_path: _memory(),
    "business_central": lambda request, tmp_path: _business_central(),
    "netsuite": lambda request, tmp_path: _netsuite(tmp_path),
    "sap": lambda request, tmp_path: _sap(tmp_path),
    "successfactors": lambda request, tmp_path: _successfactors(tmp_path),
    "tryton": lambda request, tmp_path: _tryton(request),
}

SALES = frozenset(
    {Capability.READ_CUSTOMERS, Capability.READ_PRODUCTS, Capability.READ_SALES_ORDERS}
)
"""What a contract test not marked ``needs`` asks of an adapter."""


@pytest.fixture(params=sorted(FACTORIES))
async def subject(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Subject]:
    marks = list(request.node.iter_markers("needs"))
    needed = frozenset(c for mark in marks for c in mark.args) if marks else SALES
    built: Subject = FACTORIES[request.param](request, tmp_path)
    missing = needed - built.adapter.capabilities
    if missing:
        await built.adapter.aclose()
        await built.unreachable.aclose()
        pytest.skip(f"{request.param} lacks {', '.join(sorted(missing))}")
    yield built
    await built.adapter.aclose()
    await built.unreachable.aclose()
