"""The state of one Business Central sandbox: its data, limits and fault plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from erp_sandbox.business_central.limits import RequestLimits
from erp_sandbox.business_central.seed import seed
from erp_sandbox.business_central.settings import SandboxSettings
from erp_sandbox.business_central.store import Store
from erp_sandbox.faults import FaultInjector


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Sandbox:
    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.faults = FaultInjector(settings.faults)
        self.limits = RequestLimits(
            settings.request_quota, settings.quota_window, settings.max_concurrent
        )
        self.request_count = 0
        self.store = self._seeded()

    def _seeded(self) -> Store:
        store = Store(_now)
        seed(store, self.settings.seed_anchor or _now())
        return store

    def reset(self) -> None:
        """Back to the demo data; limits and request counts start over."""
        self.store = self._seeded()
        self.limits.reset()
        self.request_count = 0

    def count_request(self) -> None:
        self.request_count += 1

    def stock(self, item_number: str, location_code: str) -> Decimal:
        """Stock of an item at a location, from the item ledger (for tests and demos)."""
        return self.store.stock(item_number, location_code)

    def stats(self) -> dict[str, object]:
        return {
            "requests": self.request_count,
            "refused_by_limits": self.limits.refused,
            "rows": {name: len(rows) for name, rows in self.store.tables.items()},
            "itemLedgerEntries": len(self.store.ledger),
        }
