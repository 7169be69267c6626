"""Orders Business Central deleted after posting them in full.

When a sales order is shipped and invoiced completely, BC's posting deletes it: only its
posted shipments and invoices remain, both naming it by ``orderNumber``. The adapter still
answers such an order by its number, its external reference and its last change (what
order lookups, idempotent creates and change capture ask), rebuilt from its invoices; plain
lists show the open orders, as BC's ``salesOrders`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from system_apis.business_central import mapping
from system_apis.business_central.client import BcClient, JsonObject
from system_apis.business_central.reads import conjunction, equals, when
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.models import SalesOrder, Source

INVOICE_LINES = {"$expand": "salesInvoiceLines"}


class ClosedOrders:
    def __init__(
        self, source: Source, client: BcClient, guard: MappingGuard, currency: str
    ) -> None:
        self._source, self._client, self._guard, self._currency = source, client, guard, currency

    async def find(
        self,
        locations: dict[str, str],
        *,
        numbers: Sequence[str] | None = None,
        reference: str | None = None,
        since: dt.datetime | None = None,
        customer: str | None = None,
    ) -> list[SalesOrder]:
        """The deleted orders among those named by number, reference or invoices changed since."""
        extra = conjunction(
            equals("externalDocumentNumber", reference),
            equals("customerNumber", customer),
            None if since is None else f"lastModifiedDateTime ge {when(since)}",
        )
        if numbers is not None:
            rows = await self._client.any_of(
                "salesInvoices", "orderNumber", list(numbers), INVOICE_LINES, extra=extra
            )
        else:
            params = dict(INVOICE_LINES)
            if extra:
                params["$filter"] = extra
            rows = await self._client.all("salesInvoices", params)
        by_order: dict[str, list[JsonObject]] = {}
        for row in rows:
            if row.get("orderNumber"):
                by_order.setdefault(str(row["orderNumber"]), []).append(row)
        if not by_order:
            return []
        if since is not None or reference is not None:
            # An invoice named by time or reference may belong to an order invoiced in part
            # only; its other invoices count too.
            rows = await self._client.any_of(
                "salesInvoices", "orderNumber", list(by_order), INVOICE_LINES
            )
            by_order = {}
            for row in rows:
                by_order.setdefault(str(row["orderNumber"]), []).append(row)
        still_open = await self._client.any_of(
            "salesOrders", "number", list(by_order), {"$select": "number"}
        )
        for row in still_open:
            by_order.pop(str(row["number"]), None)
        return self._guard.mapped(
            lambda: [
                mapping.invoiced_order(self._source, number, invoices, self._currency, locations)
                for number, invoices in by_order.items()
            ]
        )
