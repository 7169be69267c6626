"""What the adapter reads once and keeps: the companies and the warehouses' storage locations.

The companies' own parties are not customers, and their currency prices the products. Both are
read on first use. Warehouses change rarely but do change; their storage locations are kept for
``ttl`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from system_apis.contracts.errors import Unavailable
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.locations import (
    WAREHOUSE_FIELDS,
    StorageLocation,
    warehouses_from_tryton,
)
from system_apis.tryton.mapping.readers import many2one, nested_text


@dataclass(frozen=True)
class Companies:
    """The companies the gateway user works for."""

    current: int | None
    parties: tuple[int, ...]
    currency: str


class Catalogue:
    """Companies and storage locations of one Tryton database, read through ``client``."""

    def __init__(self, client: TrytonClient, connection: str, *, ttl: float = 300.0) -> None:
        self._client = client
        self._connection = connection
        self._ttl = ttl
        self._companies: Companies | None = None
        self._locations: tuple[float, list[StorageLocation]] | None = None
        self._lock = asyncio.Lock()

    async def companies(self) -> Companies:
        if self._companies is None:
            async with self._lock:
                if self._companies is None:
                    self._companies = await self._read_companies()
        return self._companies

    async def storage_locations(self) -> list[StorageLocation]:
        """Storage locations of the active warehouses, by label."""
        cached = self._locations
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        rows = await self._client.search_read(
            "stock.location",
            [("type", "=", "warehouse")],
            WAREHOUSE_FIELDS,
            order=(("code", "ASC"), ("id", "ASC")),
        )
        locations = guard(self._connection).mapped(lambda: warehouses_from_tryton(rows))
        self._locations = (time.monotonic(), locations)
        return locations

    async def _read_companies(self) -> Companies:
        context = await self._client.context()
        ids = [c for c in context.get("companies") or [] if isinstance(c, int)]
        current = context.get("company")
        if isinstance(current, int) and current not in ids:
            ids.append(current)
        if not ids:
            raise Unavailable("the Tryton user works for no company", connection=self._connection)
        rows = await self._client.read("company.company", ids, ["party", "currency.code"])

        def convert() -> Companies:
            by_id = {row["id"]: row for row in rows}
            first = by_id.get(current) or rows[0]
            currency = nested_text(first, "currency.code")
            if currency is None:
                raise ValueError("the company has no currency")
            parties = tuple(p for p in (many2one(row, "party") for row in rows) if p is not None)
            return Companies(
                current=current if isinstance(current, int) else None,
                parties=parties,
                currency=currency,
            )

        return guard(self._connection).mapped(convert)
