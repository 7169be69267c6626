"""Fakes of the resilience tests: a clock that sleeps instantly, an ERP that can hang or fail."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import Customer, SalesOrder
from system_apis.contracts.queries import CustomerFilter, Page, PageRequest
from system_apis.resilience import ResiliencePolicy, ResilientAdapter
from tests.fakes.memory_erp import MemoryErp

EVERYONE = CustomerFilter()
FIRST = PageRequest(limit=10)
DRAFT = SalesOrderDraft(
    customer_native_id="001",
    external_reference="REF-1",
    lines=(OrderLineDraft(sku="SKU-1", quantity=Decimal(2), location="WH/A"),),
)


class FakeClock:
    """Monotonic time that only moves when a test or the wrapper's sleep moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class GatedErp(MemoryErp):
    """A MemoryErp whose ``list_customers`` and ``create_sales_order`` may wait on a gate.

    ``in_flight`` and ``max_in_flight`` measure how many calls the ERP serves at once.
    """

    def __init__(self) -> None:
        super().__init__("EU01")
        self.add_customer("001", "Alpha GmbH")
        self.add_product("SKU-1", "Widget", "10.00", {"WH/A": "50"})
        self.gate: asyncio.Event | None = None
        self.in_flight = 0
        self.max_in_flight = 0

    async def _gated(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
        finally:
            self.in_flight -= 1

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        await self._gated()
        return await super().list_customers(filter, page)

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        await self._gated()
        return await super().create_sales_order(draft)


def fail_times(erp: MemoryErp, method: str, times: int, error: Callable[[], Exception]) -> None:
    """``method`` raises ``error()`` on its next ``times`` calls, then works again."""
    left = times

    def next_error() -> Exception:
        nonlocal left
        left -= 1
        if left == 0:
            del erp.fail_with[method]
        return error()

    erp.fail_with[method] = next_error


def wrap(**policy: object) -> tuple[ResilientAdapter, GatedErp, FakeClock]:
    """A wrapper on a fresh GatedErp with a fake clock and the ``policy`` fields given."""
    erp = GatedErp()
    clock = FakeClock()
    adapter = ResilientAdapter(
        erp, ResiliencePolicy.model_validate(policy), clock=clock, sleep=clock.sleep
    )
    return adapter, erp, clock
