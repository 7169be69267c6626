"""Cancelling a sales order in Tryton: close a confirmed sale that will not be fulfilled.

Tryton's ``cancel`` button only takes drafts and quotations; an order is a confirmed or
processing sale with an outgoing shipment waiting or reserved. Tryton closes such a sale the
way its users do: the shipment is cancelled (its moves with it, which frees the stock they
reserved), the sale's shipment state becomes ``exception``, and the shipment exception is
handled by ignoring the cancelled moves (what the *Handle Shipment Exception* wizard writes:
the lines' ``moves_ignored``). Draft invoices of invoicing on order are cancelled and ignored
the same way (``invoices_ignored``). Processing the sale again then finds nothing left to ship
or bill and closes it: state ``done``, shipment and invoice state ``none``, which reads as
CANCELLED (see :func:`.mapping.status.closed_unfulfilled`).

A sale whose goods left (a shipment ``shipped`` or ``done``) or that has a posted invoice is
refused with NotCancellable before anything is written. Every step skips what is done
already, so a cancellation cut short is completed by the next call. The reason is appended
to the sale's comment.
"""

from __future__ import annotations

from system_apis.contracts.errors import CancelRefusal, NotCancellable
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.mapping.readers import Row, nested_list, record_id
from system_apis.tryton.mapping.status import POSTED_INVOICE_STATES, closed_unfulfilled

SALE = "sale.sale"
SALE_FIELDS = (
    "state",
    "shipment_state",
    "invoice_state",
    "comment",
    "shipments.state",
    "invoices.state",
    "invoices_ignored",
)
GONE = ("shipped", "done")
"""Shipment states of goods that left the warehouse."""
OPEN_INVOICE = ("draft", "validated")


class SaleCancelling:
    """Closes sales that nothing was shipped or billed for."""

    def __init__(self, client: TrytonClient, connection: str) -> None:
        self._client = client
        self._connection = connection

    async def cancel(self, sale_id: int, reason: str | None) -> bool:
        """Closes sale ``sale_id``; False when it was closed already (nothing written)."""
        sale = await self._sale(sale_id)
        if closed_unfulfilled(
            str(sale.get("state")), str(sale.get("shipment_state")), str(sale.get("invoice_state"))
        ):
            return False
        self._check(sale_id, sale)
        if sale.get("state") == "confirmed":
            # Not processed yet (a queue worker will): process it now, so its shipment exists
            # to be cancelled rather than created after the order was closed.
            await self._client.button(SALE, "process", [sale_id])
            sale = await self._sale(sale_id)
            self._check(sale_id, sale)
        if reason:
            comment = str(sale.get("comment") or "")
            note = f"Cancelled: {reason}"
            if note not in comment:
                text = f"{comment}\n{note}" if comment else note
                await self._client.write(SALE, [sale_id], {"comment": text})
        shipments = [
            record_id(s)
            for s in nested_list(sale, "shipments")
            if s.get("state") not in ("cancelled", "done")
        ]
        if shipments:
            await self._client.button("stock.shipment.out", "cancel", shipments)
        invoices = [
            record_id(i) for i in nested_list(sale, "invoices") if i.get("state") in OPEN_INVOICE
        ]
        if invoices:
            await self._client.button("account.invoice", "cancel", invoices)
        await self._ignore_cancelled_moves(sale_id)
        await self._ignore_cancelled_invoices(sale_id)
        await self._client.button(SALE, "process", [sale_id])
        return True

    async def _sale(self, sale_id: int) -> Row:
        rows = await self._client.read(SALE, [sale_id], SALE_FIELDS)
        return rows[0]

    def _check(self, sale_id: int, sale: Row) -> None:
        invoices = nested_list(sale, "invoices")
        billed = sale.get("invoice_state") in POSTED_INVOICE_STATES or any(
            i.get("state") in ("posted", "paid") for i in invoices
        )
        if billed:
            raise NotCancellable(
                f"Tryton sale {sale_id} is invoiced: credit its invoice instead",
                refusal=CancelRefusal.INVOICED,
                connection=self._connection,
            )
        shipped = sale.get("shipment_state") in ("sent", "partially shipped") or any(
            s.get("state") in GONE for s in nested_list(sale, "shipments")
        )
        if shipped:
            raise NotCancellable(
                f"goods were shipped for Tryton sale {sale_id}",
                refusal=CancelRefusal.SHIPPED,
                connection=self._connection,
            )

    async def _ignore_cancelled_moves(self, sale_id: int) -> None:
        """What the shipment exception wizard does when told to ignore every cancelled move."""
        lines = await self._client.search_read(
            "sale.line",
            [("sale", "=", sale_id)],
            ["moves", "moves_ignored", "moves_recreated"],
        )
        moves = [m for line in lines for m in line.get("moves") or []]
        if not moves:
            return
        cancelled = {
            record_id(m)
            for m in await self._client.read("stock.move", moves, ["state"])
            if m.get("state") == "cancelled"
        }
        for line in lines:
            skip = set(line.get("moves_ignored") or []) | set(line.get("moves_recreated") or [])
            ignore = sorted(m for m in line.get("moves") or [] if m in cancelled and m not in skip)
            if ignore:
                await self._client.write(
                    "sale.line", [record_id(line)], {"moves_ignored": [["add", ignore]]}
                )

    async def _ignore_cancelled_invoices(self, sale_id: int) -> None:
        sale = await self._sale(sale_id)
        ignored = set(sale.get("invoices_ignored") or [])
        cancelled = [
            record_id(i)
            for i in nested_list(sale, "invoices")
            if i.get("state") == "cancelled" and record_id(i) not in ignored
        ]
        if cancelled:
            await self._client.write(SALE, [sale_id], {"invoices_ignored": [["add", cancelled]]})
