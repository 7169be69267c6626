"""The running SAP sandbox: its data, sessions and request counter, and the admin operations.

An app created by :func:`erp_sandbox.sap.app.create_app` holds one :class:`Sandbox` in
``app.state.sandbox``; tests and the demo use it to reset data, count rows, read stock,
expire CSRF tokens and plan faults (``sandbox.faults``, see
:mod:`erp_sandbox.faults.injector`) without going through HTTP.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from erp_sandbox.faults import FaultInjector
from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.selections import Selections
from erp_sandbox.odata.serialize import sort_by_key
from erp_sandbox.sap import org
from erp_sandbox.sap.records import public
from erp_sandbox.sap.security import CsrfSessions
from erp_sandbox.sap.seed import seed
from erp_sandbox.sap.services import ENTITY_TYPES
from erp_sandbox.sap.settings import SandboxSettings
from erp_sandbox.sap.stock import available
from erp_sandbox.sap.store import Store

TRACEPARENTS_KEPT = 1000


class Sandbox:
    """One SAP sandbox: seeded on first use of its database, shared by all requests."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.store = Store(settings.data_dir)
        self.selections = Selections()
        self.csrf = CsrfSessions()
        self.faults = FaultInjector(settings.faults)
        self._requests = 0
        self._traceparents: deque[str] = deque(maxlen=TRACEPARENTS_KEPT)
        self._counter_lock = threading.Lock()
        if not self.store.is_current():
            self.reset()

    @property
    def request_count(self) -> int:
        """HTTP requests received on OData service paths (including ``$metadata`` and CSRF
        fetches, requests refused for authentication and requests answered by a fault)."""
        with self._counter_lock:
            return self._requests

    def count_request(self, traceparent: str | None = None) -> None:
        """Count one request on an OData service path, and keep its W3C ``traceparent``."""
        with self._counter_lock:
            self._requests += 1
            if traceparent is not None:
                self._traceparents.append(traceparent)

    @property
    def traceparents(self) -> list[str]:
        """The ``traceparent`` headers of the latest OData requests that carried one, oldest
        first (the gateway's trace context, as a traced SAP system would continue it)."""
        with self._counter_lock:
            return list(self._traceparents)

    @staticmethod
    def now() -> datetime:
        """The current UTC time, the clock of all business processes."""
        return datetime.now(UTC)

    def reset(self) -> None:
        """Replace all data with a fresh seed (numbering starts again after the seed)."""
        with self.store.write() as tx:
            tx.clear()
            seed(tx, self.settings.seed_anchor)

    @staticmethod
    def _check(entity_set: str) -> None:
        if entity_set not in ENTITY_TYPES:
            raise KeyError(f"unknown entity set {entity_set!r}")

    def count(self, entity_set: str) -> int:
        """The number of rows of an entity set such as ``A_SalesOrder``."""
        self._check(entity_set)
        with self.store.read() as tx:
            return tx.count(entity_set)

    def rows(self, entity_set: str) -> list[Row]:
        """The rows of an entity set in key order, as Python values (Decimal, datetime)."""
        self._check(entity_set)
        rows = self.store.rows(entity_set)
        ordered = sort_by_key(ENTITY_TYPES[entity_set], rows)
        return [public(entity_set, row) for row in ordered]

    def stock(self, material: str, plant: str, storage_location: str) -> Decimal:
        """Unrestricted-use stock of a material at a plant and storage location."""
        with self.store.read() as tx:
            return available(tx, material, plant, storage_location)

    def price(self, material: str) -> Decimal:
        """The sandbox price list's EUR price per base unit of a material."""
        with self.store.read() as tx:
            row = tx.get(org.PRICE_LIST, (material,))
        if row is None:
            raise KeyError(f"no price for material {material!r}")
        return Decimal(row["Price"])

    def expire_csrf_tokens(self) -> None:
        """Invalidate every CSRF token and session; clients must fetch a new token."""
        self.csrf.expire_all()

    def stats(self) -> dict[str, Any]:
        """Request count and rows per entity set."""
        with self.store.read() as tx:
            counts = {name: tx.count(name) for name in ENTITY_TYPES}
        return {"request_count": self.request_count, "entity_sets": counts}

    def close(self) -> None:
        """Close the database."""
        self.store.close()
