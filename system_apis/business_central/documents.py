"""Sales documents in Business Central: orders, shipments and invoices.

API v2.0 posts a sales order with one bound action, ``Microsoft.NAV.shipAndInvoice``, which
posts each line's ``shipQuantity`` (a posted shipment) and ``invoiceQuantity`` (a posted
invoice). The port's three steps use it so: an order is created with nothing to ship or
invoice; ``create_delivery`` sets the quantities to ship (PATCH with the line's ETag);
``post_goods_issue`` posts them with nothing to invoice; ``create_invoice`` sets the
quantities to invoice to what was shipped and not invoiced, nothing to ship, and posts.

An order is created at most once per external document number: the adapter looks the number
up before it posts, and after a lost answer looks again instead of posting twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from system_apis.business_central import mapping
from system_apis.business_central.client import BcClient, JsonObject, literal
from system_apis.business_central.closed_orders import ClosedOrders
from system_apis.business_central.reads import (
    conjunction,
    equals,
    local_page,
    number_after,
    one_of,
    order_after,
    order_number,
    server_page,
    when,
)
from system_apis.contracts.commands import SalesOrderDraft
from system_apis.contracts.errors import NotFound, UnknownOutcome, ValidationRejected
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.models import Delivery, SalesOrder, Source
from system_apis.contracts.queries import (
    MAX_PAGE_LIMIT,
    DeliveryFilter,
    Page,
    PageRequest,
    SalesOrderFilter,
)

LINES = {"$expand": "salesOrderLines"}
SHIP_AND_INVOICE = "Microsoft.NAV.shipAndInvoice"


def as_decimal(value: Any) -> Decimal:
    return Decimal(str(value))


class Documents:
    def __init__(
        self, source: Source, client: BcClient, guard: MappingGuard, currency: str
    ) -> None:
        self._source, self._client, self._guard, self._currency = source, client, guard, currency
        self._locations: dict[str, str] | None = None
        self._closed = ClosedOrders(source, client, guard, currency)

    async def locations(self) -> dict[str, str]:
        """Location ids to codes (read once)."""
        if self._locations is None:
            rows = await self._client.all("locations", {"$select": "id,code"})
            self._locations = {str(r["id"]): str(r["code"]) for r in rows}
        return self._locations

    def _order(self, row: JsonObject, locations: dict[str, str]) -> SalesOrder:
        return mapping.sales_order(self._source, row, self._currency, locations)

    # -- orders --------------------------------------------------------------------------

    def _mapped_orders(self, rows: list[JsonObject], locations: dict[str, str]) -> list[SalesOrder]:
        return self._guard.mapped(lambda: [self._order(r, locations) for r in rows])

    def _order_query(self, filter: SalesOrderFilter) -> dict[str, str]:
        params = dict(LINES)
        params["$orderby"] = (
            "lastModifiedDateTime asc,number asc" if filter.changed_since else "number desc"
        )
        expression = conjunction(
            one_of("number", filter.native_ids),
            equals("customerNumber", filter.customer_native_id),
            equals("externalDocumentNumber", filter.external_reference),
            None if filter.date_from is None else f"orderDate ge {filter.date_from.isoformat()}",
            None if filter.date_to is None else f"orderDate le {filter.date_to.isoformat()}",
            None
            if filter.changed_since is None
            else f"lastModifiedDateTime ge {when(filter.changed_since)}",
        )
        if expression:
            params["$filter"] = expression
        return params

    def _keep(self, order: SalesOrder, filter: SalesOrderFilter) -> bool:
        return (filter.status is None or order.status is filter.status) and (
            filter.delivery_status is None or order.delivery_status is filter.delivery_status
        )

    def _names_orders(self, filter: SalesOrderFilter) -> bool:
        """Whether the filter names orders that may be closed (see :mod:`.closed_orders`)."""
        return (
            filter.native_ids is not None
            or filter.external_reference is not None
            or filter.changed_since is not None
        )

    def _matches(self, order: SalesOrder, filter: SalesOrderFilter) -> bool:
        return (
            self._keep(order, filter)
            and (filter.date_from is None or order.order_date >= filter.date_from)
            and (filter.date_to is None or order.order_date <= filter.date_to)
        )

    async def _named(self, filter: SalesOrderFilter) -> list[SalesOrder]:
        """Open and closed orders the filter names, in list order."""
        locations = await self.locations()
        rows = await self._client.all("salesOrders", self._order_query(filter))
        open_orders = self._mapped_orders(rows, locations)
        closed = await self._closed.find(
            locations,
            numbers=filter.native_ids,
            reference=filter.external_reference,
            since=filter.changed_since,
            customer=filter.customer_native_id,
        )
        found = [o for o in [*open_orders, *closed] if self._matches(o, filter)]
        if filter.changed_since is not None:
            return sorted(found, key=lambda o: (o.changed_at or filter.changed_since, o.native_id))
        return sorted(found, key=lambda o: o.native_id, reverse=True)

    async def list_orders(self, filter: SalesOrderFilter, page: PageRequest) -> Page[SalesOrder]:
        if filter.native_ids is not None and not filter.native_ids:
            return Page(items=(), offset=page.offset, total=0)
        by_change = filter.changed_since is not None
        if self._names_orders(filter):
            return local_page(await self._named(filter), page, None if by_change else order_after)
        locations = await self.locations()
        params = self._order_query(filter)
        if filter.status is not None or filter.delivery_status is not None:
            rows = await self._client.all("salesOrders", params)
            orders = self._guard.mapped(lambda: [self._order(r, locations) for r in rows])
            kept = [o for o in orders if self._keep(o, filter)]
            return local_page(kept, page, None if by_change else order_after)
        found, offset, total = await server_page(
            self._client, "salesOrders", params, page, None if by_change else _order_clause
        )
        orders = self._guard.mapped(lambda: [self._order(r, locations) for r in found])
        return Page(items=tuple(orders), offset=offset, total=total)

    async def stream_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        if self._names_orders(filter):
            named = await self._named(filter)
            for start in range(0, len(named), MAX_PAGE_LIMIT):
                yield named[start : start + MAX_PAGE_LIMIT]
            return
        locations = await self.locations()
        async for rows in self._client.pages("salesOrders", self._order_query(filter)):
            orders = self._mapped_orders(rows, locations)
            chunk = [o for o in orders if self._keep(o, filter)]
            if chunk:
                yield chunk

    async def order_row(self, number: str) -> JsonObject:
        rows = await self._client.all(
            "salesOrders", {**LINES, "$filter": equals("number", number) or ""}
        )
        if not rows:
            raise NotFound(
                f"Business Central has no sales order {number}", connection=self._source.connection
            )
        return rows[0]

    async def get_order(self, native_id: str) -> SalesOrder:
        found = await self._named(SalesOrderFilter(native_ids=[native_id]))
        if not found:
            raise NotFound(
                f"Business Central has no sales order {native_id}",
                connection=self._source.connection,
            )
        return found[0]

    async def _by_reference(self, reference: str) -> SalesOrder | None:
        found = await self.list_orders(
            SalesOrderFilter(external_reference=reference), PageRequest(limit=2)
        )
        return found.items[0] if found.items else None

    async def create_order(self, draft: SalesOrderDraft) -> SalesOrder:
        reference = draft.external_reference
        if reference:
            existing = await self._by_reference(reference)
            if existing is not None:
                return existing
        locations = await self.locations()
        codes = {code: location_id for location_id, code in locations.items()}
        lines: list[JsonObject] = []
        for line in draft.lines:
            body: JsonObject = {
                "lineType": "Item",
                "lineObjectNumber": line.sku,
                "quantity": line.quantity,
                # Nothing to ship or invoice until a delivery and an invoice are asked for.
                "shipQuantity": 0,
                "invoiceQuantity": 0,
            }
            if line.unit:
                body["unitOfMeasureCode"] = line.unit
            if line.location:
                if line.location not in codes:
                    raise ValidationRejected(
                        f"Business Central has no location {line.location}",
                        connection=self._source.connection,
                        field="locationCode",
                    )
                body["locationId"] = codes[line.location]
            lines.append(body)
        order: JsonObject = {"customerNumber": draft.customer_native_id, "salesOrderLines": lines}
        if reference:
            order["externalDocumentNumber"] = reference
        try:
            created = await self._client.create("salesOrders", order, LINES)
        except UnknownOutcome:
            if reference:
                # BC commits a deep insert whole or not at all: the number tells which.
                found = await self._guard.read_back(self._by_reference(reference), "the order")
                if found is not None:
                    return found
            raise
        return self._guard.written(lambda: self._order(created, locations))

    # -- deliveries ----------------------------------------------------------------------

    async def _shipments(self, orders: list[str] | None) -> dict[str, list[JsonObject]]:
        params = {"$expand": "salesShipmentLines", "$orderby": "number"}
        if orders is None:
            rows = await self._client.all("salesShipments", params)
        else:
            rows = await self._client.any_of("salesShipments", "orderNumber", orders, params)
        by_order: dict[str, list[JsonObject]] = {}
        for row in sorted(rows, key=lambda r: (len(r["number"]), r["number"])):
            by_order.setdefault(row["orderNumber"], []).append(row)
        return by_order

    async def _deliveries(self, orders: list[str] | None) -> list[Delivery]:
        shipments = await self._shipments(orders)
        if orders is None:
            open_orders = await self._client.all("salesOrders", LINES)
        else:
            open_orders = await self._client.any_of("salesOrders", "number", orders, LINES)
        locations = await self.locations()

        def build() -> list[Delivery]:
            out: list[Delivery] = []
            for rows in shipments.values():
                out.extend(mapping.shipment(self._source, r, k) for k, r in enumerate(rows, 1))
            for order in open_orders:
                index = len(shipments.get(order["number"], [])) + 1
                pending = mapping.pending_shipment(self._source, order, index, locations)
                if pending is not None:
                    out.append(pending)
            return out

        found = self._guard.mapped(build)
        return sorted(found, key=lambda d: (len(d.native_id), d.native_id))

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        orders = filter.orders()
        if filter.native_ids is not None:
            parsed = [mapping.parse_delivery_id(n) for n in filter.native_ids]
            named = sorted({p[0] for p in parsed if p is not None})
            orders = named if orders is None else [o for o in orders if o in named]
        if orders is not None and not orders:
            return Page(items=(), offset=page.offset, total=0)
        found = await self._deliveries(orders)
        if filter.native_ids is not None:
            wanted = set(filter.native_ids)
            found = [d for d in found if d.native_id in wanted]
        return local_page(found, page, number_after)

    async def set_quantities(
        self, order: JsonObject, quantities: dict[str, tuple[Decimal, Decimal]]
    ) -> None:
        """PATCHes (with each line's ETag) the lines whose (ship, invoice) quantities differ."""
        for line in order.get("salesOrderLines") or []:
            wanted = quantities.get(line["id"])
            if wanted is None:
                continue
            ship, invoice = wanted
            if (as_decimal(line["shipQuantity"]), as_decimal(line["invoiceQuantity"])) == (
                ship,
                invoice,
            ):
                continue
            await self._client.patch(
                f"salesOrders({order['id']})/salesOrderLines({line['id']})",
                {"shipQuantity": ship, "invoiceQuantity": invoice},
                line["@odata.etag"],
            )

    async def create_delivery(self, order_native_id: str) -> Delivery:
        order = await self.order_row(order_native_id)
        items = [ln for ln in order.get("salesOrderLines") or [] if ln.get("lineType") == "Item"]
        open_lines = {
            ln["id"]: (as_decimal(ln["quantity"]) - as_decimal(ln["shippedQuantity"]), Decimal(0))
            for ln in items
            if as_decimal(ln["quantity"]) > as_decimal(ln["shippedQuantity"])
        }
        if not open_lines:
            raise ValidationRejected(
                f"Sales order {order_native_id} has nothing left to ship",
                connection=self._source.connection,
            )
        await self.set_quantities(order, open_lines)
        found = await self._guard.read_back(self._deliveries([order_native_id]), "the delivery")
        pending = [d for d in found if not d.goods_issued]
        if not pending:
            raise UnknownOutcome(
                "Business Central shows no delivery to post after setting it up",
                connection=self._source.connection,
            )
        return pending[0]

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        parsed = mapping.parse_delivery_id(delivery_native_id)
        if parsed is None:
            raise NotFound(f"no delivery {delivery_native_id}", connection=self._source.connection)
        number = parsed[0]
        found = {d.native_id: d for d in await self._deliveries([number])}
        delivery = found.get(delivery_native_id)
        if delivery is None:
            raise NotFound(f"no delivery {delivery_native_id}", connection=self._source.connection)
        if delivery.goods_issued:
            return delivery  # posted already: posting again would ship the rest
        order = await self.order_row(number)
        await self.set_quantities(
            order,
            {
                ln["id"]: (as_decimal(ln["shipQuantity"]), Decimal(0))
                for ln in order.get("salesOrderLines") or []
            },
        )
        await self._client.action(f"salesOrders({order['id']})/{SHIP_AND_INVOICE}")
        after = {
            d.native_id: d
            for d in await self._guard.read_back(self._deliveries([number]), "the shipment")
        }
        posted = after.get(delivery_native_id)
        if posted is None or not posted.goods_issued:
            raise UnknownOutcome(
                f"Business Central shows no shipment {delivery_native_id} after posting",
                connection=self._source.connection,
            )
        return posted


def _order_clause(key: str) -> str:
    """Orders newest first by number: what follows an order has a lower number."""
    return f"number lt {literal(order_number(key))}"
