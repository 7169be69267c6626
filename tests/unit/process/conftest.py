"""The order flow over in-memory fakes; each module seeds its own ``erp_``."""

from __future__ import annotations

import pytest

from process_apis.connections import Connections
from process_apis.order_to_invoice.flow import OrderToInvoice
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore


@pytest.fixture
def keys() -> MemoryIdempotencyStore:
    return MemoryIdempotencyStore()


@pytest.fixture
def quarantine_store() -> MemoryQuarantineStore:
    return MemoryQuarantineStore()


@pytest.fixture
def placing_flow(
    erp_: MemoryErp, keys: MemoryIdempotencyStore, quarantine_store: MemoryQuarantineStore
) -> OrderToInvoice:
    return OrderToInvoice(Connections({"EU01": erp_}), keys, quarantine_store)
