"""Creating a sales order in Tryton: a ``sale.sale`` that is quoted, confirmed and processed.

The sale is filled as Tryton's own clients fill it (:mod:`.mapping.drafts`): the party's
``on_change`` gives addresses, payment term, methods and currency, each product's gives unit,
price and taxes. Then the ``quote`` and ``confirm`` buttons run; confirming queues the sale's
processing, which trytond runs at the end of the request unless a worker is configured, so the
sale is processed explicitly (``process``) when it is still ``confirmed`` afterwards.
Processing creates the customer shipment (shipment method ``order``) and, depending on the
invoice method, the draft invoice (``order``) or nothing yet (``fulfillment``: after shipping).

The three steps are three Tryton transactions, so a gateway stopped between them leaves a
draft or quotation with the order's reference behind. The replay of the order (same reference,
same customer) resumes that sale -- quotes and confirms it, or only processes it when it got
that far -- instead of creating a second one beside it: whatever step a crash interrupts, there
is one sale per reference.

A new sale is checked first against the stock the warehouse can still reserve (stock assigned to
other shipments is not free: :mod:`.availability`); a shortage is InsufficientStock.

A sale that Tryton refuses to quote or confirm is cancelled and deleted again, so a refused
order leaves nothing behind. Once confirmed the order exists: a failure of the processing is
logged and the order returned (delivering it processes it again).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import suppress

from system_apis.contracts.commands import SalesOrderDraft
from system_apis.contracts.errors import ErpError, ValidationRejected
from system_apis.tryton.availability import check_available
from system_apis.tryton.catalogue import Catalogue
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.mapping.drafts import (
    SALE_FIELDS,
    line_request,
    line_values,
    sale_request,
    sale_values,
    values_of,
)
from system_apis.tryton.mapping.locations import matching
from system_apis.tryton.queries import record_id

logger = logging.getLogger(__name__)

SALE = "sale.sale"
# A sale of an earlier attempt at the same order, in the order its states are reached.
_RESUMABLE = ("draft", "quotation", "confirmed", "processing", "done")


class OrderWriter:
    """Creates sales orders; ``warehouse`` (a location label) ships lines without a location."""

    def __init__(
        self,
        client: TrytonClient,
        catalogue: Catalogue,
        connection: str,
        warehouse: str | None,
        invoice_method: str = "fulfillment",
    ) -> None:
        self._client = client
        self._catalogue = catalogue
        self._connection = connection
        self._warehouse = warehouse
        self._invoice_method = invoice_method

    async def create(self, draft: SalesOrderDraft) -> int:
        """Creates, quotes, confirms and processes the sale; answers its id."""
        party = await self._party(draft.customer_native_id)
        leftover = await self._leftover(party, draft.external_reference)
        if leftover is not None:
            sale_id, state = leftover
            logger.info(
                "Tryton sale %s (%s) resumed for %s", sale_id, state, draft.external_reference
            )
            await self._advance(sale_id, state)
            return sale_id
        products = await self._products([line.sku for line in draft.lines])
        units = await self._units([line.unit for line in draft.lines if line.unit])
        warehouse = await self._warehouse_id([line.location for line in draft.lines])
        companies = await self._catalogue.companies()

        changes = await self._client.on_change(
            SALE, sale_request(party, companies.current, warehouse), ["party"]
        )
        header = values_of(changes, SALE_FIELDS)
        header["party"] = party
        # Set on every sale, not left to the company default: the gateway bills what was
        # shipped, and a default of "order" would invoice before anything left the warehouse.
        header["invoice_method"] = self._invoice_method
        if warehouse is not None:
            header["warehouse"] = warehouse
        if isinstance(header.get("warehouse"), int):
            await check_available(
                self._client,
                [(line.sku, line.quantity, line.unit) for line in draft.lines],
                products,
                await self._catalogue.storage_locations(),
                header["warehouse"],
            )
        lines = []
        for line in draft.lines:
            request = line_request(
                header, products[line.sku], line.quantity, units.get(line.unit or "")
            )
            lines.append(
                line_values(
                    request, await self._client.on_change("sale.line", request, ["product"])
                )
            )
        (sale_id,) = await self._client.create(
            SALE, [sale_values(header, lines, draft.external_reference)]
        )
        await self._advance(sale_id, "draft")
        return sale_id

    async def _leftover(self, party: int, reference: str | None) -> tuple[int, str] | None:
        """The sale an interrupted earlier attempt at this order left, with its state."""
        if not reference:
            return None
        rows = await self._client.search_read(
            SALE,
            [
                ("reference", "=", reference),
                ("party", "=", party),
                ("state", "in", list(_RESUMABLE)),
            ],
            ["state"],
            order=[("id", "ASC")],
        )
        for row in rows:
            if isinstance(row.get("id"), int) and row.get("state") in _RESUMABLE:
                return row["id"], row["state"]
        return None

    async def _advance(self, sale_id: int, state: str) -> None:
        """Quotes and confirms a sale from ``state`` on, then processes it."""
        try:
            if state == "draft":
                await self._client.button(SALE, "quote", [sale_id])
            if state in ("draft", "quotation"):
                await self._client.button(SALE, "confirm", [sale_id])
        except ValidationRejected:
            await self._discard(sale_id)
            raise
        await self._process(sale_id)

    async def _party(self, native_id: str) -> int:
        party = record_id(native_id)
        rows = []
        if party is not None:
            rows = await self._client.search_read("party.party", [("id", "=", party)], ["id"])
        if party is None or not rows:
            raise ValidationRejected(
                f"Tryton has no active party {native_id} to sell to", connection=self._connection
            )
        return party

    async def _products(self, skus: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(skus))
        rows = await self._client.search_read("product.product", [("code", "in", wanted)], ["code"])
        found = {
            row["code"]: row["id"]
            for row in rows
            if isinstance(row.get("code"), str) and isinstance(row.get("id"), int)
        }
        missing = [sku for sku in wanted if sku not in found]
        if missing:
            raise ValidationRejected(
                f"Tryton has no active product {', '.join(missing)}", connection=self._connection
            )
        return found

    async def _units(self, units: Sequence[str]) -> dict[str, int]:
        """Units named by symbol (``u``, ``kg``) or name (``Unit``)."""
        wanted = list(dict.fromkeys(units))
        if not wanted:
            return {}
        rows = await self._client.search_read(
            "product.uom",
            ["OR", ("symbol", "in", wanted), ("name", "in", wanted)],
            ["symbol", "name"],
        )
        found: dict[str, int] = {}
        for row in rows:
            for key in (row.get("name"), row.get("symbol")):
                if isinstance(key, str) and isinstance(row.get("id"), int):
                    found.setdefault(key, row["id"])
        missing = [unit for unit in wanted if unit not in found]
        if missing:
            raise ValidationRejected(
                f"Tryton has no unit {', '.join(missing)}", connection=self._connection
            )
        return found

    async def _warehouse_id(self, locations: Sequence[str | None]) -> int | None:
        """The one warehouse the lines ship from; None leaves Tryton's default."""
        wanted = {location for location in locations if location} or (
            {self._warehouse} if self._warehouse else set()
        )
        if not wanted:
            return None
        storage = await self._catalogue.storage_locations()
        warehouses: set[int] = set()
        for label in wanted:
            found = matching(storage, label)
            if not found:
                raise ValidationRejected(
                    f"Tryton has no warehouse location {label}", connection=self._connection
                )
            warehouses.update(location.warehouse_id for location in found)
        if len(warehouses) > 1:
            raise ValidationRejected(
                "a Tryton sale ships from one warehouse; the lines name several",
                connection=self._connection,
            )
        return warehouses.pop()

    async def _process(self, sale_id: int) -> None:
        try:
            rows = await self._client.read(SALE, [sale_id], ["state"])
            if rows and rows[0].get("state") == "confirmed":
                await self._client.button(SALE, "process", [sale_id])
        except ErpError as exc:
            logger.warning("Tryton sale %s is confirmed but not processed: %s", sale_id, exc)

    async def _discard(self, sale_id: int) -> None:
        """Best effort: a sale Tryton refused should not stay behind as a draft."""
        with suppress(ErpError):
            await self._client.button(SALE, "cancel", [sale_id])
            await self._client.delete(SALE, [sale_id])
