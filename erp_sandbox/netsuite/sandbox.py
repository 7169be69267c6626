"""``Sandbox``: the state of one NetSuite sandbox (database, credentials, faults, load)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from erp_sandbox.faults import FaultInjector
from erp_sandbox.netsuite.oauth2 import TokenIssuer
from erp_sandbox.netsuite.seed import seed
from erp_sandbox.netsuite.settings import SandboxSettings
from erp_sandbox.netsuite.store import Store
from erp_sandbox.netsuite.tba import TokenVerifier


class Sandbox:
    """One NetSuite account: its data, the token it accepts, its fault plan and the count of
    requests in flight (refused beyond ``settings.concurrency_limit``)."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.store = Store(settings.data_dir)
        self.tokens = TokenVerifier(settings)
        self.oauth2 = TokenIssuer(settings)
        self.faults = FaultInjector(settings.faults)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.request_count = 0
        self.refused_for_concurrency = 0
        if self.store.empty:
            with self.store.write() as db:
                seed(db, settings.seed_anchor)

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    def enter(self) -> bool:
        """Counts a request in; False when the account's concurrency limit is reached."""
        with self._lock:
            self.request_count += 1
            if self.in_flight >= self.settings.concurrency_limit:
                self.refused_for_concurrency += 1
                return False
            self.in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset(self) -> None:
        """Back to the demo data."""
        self.store.clear()
        with self.store.write() as db:
            seed(db, self.settings.seed_anchor)

    def stock(self, sku: str, location: str) -> Decimal:
        """Quantity on hand of item ``sku`` at the location named ``location``."""
        rows = self.store.rows(
            "SELECT s.quantityonhand FROM inventoryitemlocations s JOIN item i ON i.id = s.item"
            " JOIN location l ON l.id = s.location WHERE i.itemid = ? AND l.name = ?",
            (sku, location),
        )
        return Decimal(str(rows[0]["quantityonhand"])) if rows else Decimal(0)

    def stats(self) -> dict[str, Any]:
        counts = {
            kind: self.store.rows(
                'SELECT COUNT(*) AS n FROM "transaction" WHERE type = ?', (kind,)
            )[0]["n"]
            for kind in ("SalesOrd", "ItemShip", "CustInvc", "InvAdjst")
        }
        return {
            "requests": self.request_count,
            "refused_for_concurrency": self.refused_for_concurrency,
            "transactions": counts,
        }

    def close(self) -> None:
        self.store.close()
