"""A connector kind that lives in the test suite only: ``toy``, an in-memory ERP.

It proves that an ERP joins the gateway as one package: the product never names it, and
:func:`install` makes it an installed plug-in (an entry point of a distribution on
``sys.path``), the way a separately packaged connector would be.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from system_apis.contracts.connector import Connector, ConnectorSettings, Endpoint
from system_apis.registry import ENTRY_POINT_GROUP
from tests.fakes.memory_erp import MemoryErp


class ToySettings(ConnectorSettings):
    customers: int = Field(default=2, ge=0, le=100, description="customers seeded")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")


def toy_adapter(connection: str, settings: ToySettings, endpoint: Endpoint | None) -> MemoryErp:
    erp = MemoryErp(connection, currency=settings.currency)
    for number in range(1, settings.customers + 1):
        erp.add_customer(str(number), f"Toy customer {number}")
    erp.add_product("BRICK", "Red brick", "0.25", {"TOYS": "500"})
    return erp


CONNECTOR = Connector(kind="toy", settings=ToySettings, factory=toy_adapter)


def install(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installs the toy connector as a plug-in distribution in ``site`` and puts it on the path."""
    dist = site / "toy_erp_connector-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-erp-connector\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\ntoy = {__name__}:CONNECTOR\n")
    monkeypatch.syspath_prepend(str(site))
