"""An ERP in memory that satisfies the ErpAdapter port, with a count of calls per method."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from system_apis.contracts import errors, keyset
from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import (
    Address,
    CreditLimit,
    Customer,
    CustomerDetail,
    Delivery,
    DeliveryLine,
    DocumentStatus,
    InventoryLevel,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Money,
    OrderStatus,
    Product,
    Quantity,
    SalesOrder,
    SalesOrderLine,
    Source,
    canonical_id,
)
from system_apis.contracts.people import (
    BankAccount,
    Compensation,
    Employee,
    EmployeeDetail,
    EmployeeFilter,
    PayPeriod,
)
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.contracts.streaming import StreamsFromPages

T = TypeVar("T")
TAX_RATE = Decimal("0.19")


def _tax(net: Decimal) -> Decimal:
    """Output tax on a line, rounded to cents as the ERPs do."""
    return (net * TAX_RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _page(
    items: Iterable[T],
    page: PageRequest,
    rank: Callable[[T], Any] | None = None,
    after: Callable[[str], Any] | None = None,
) -> Page[T]:
    """``page`` of ``items`` (in list order); ``rank`` places a record in that order (an
    ascending sort key) and ``after`` a page key, for pages that start after a key."""
    everything = list(items)
    start = page.offset
    if page.after is not None:
        if rank is None or after is None:
            raise errors.ValidationRejected("this list does not page by key")
        try:
            mark = after(page.after)
        except (keyset.InvalidKey, ValueError) as exc:
            raise errors.ValidationRejected(str(exc)) from exc
        start = sum(1 for item in everything if rank(item) <= mark)
    return Page(
        items=tuple(everything[start : start + page.limit]),
        offset=start,
        total=len(everything),
    )


def _number(key: str) -> int:
    return keyset.numeric_after(key, "record")


def _order_rank(order: SalesOrder) -> tuple[int, int]:
    return (-order.order_date.toordinal(), -int(order.native_id))


def _order_after(key: str) -> tuple[int, int]:
    day, native = keyset.order_after(key)
    return (-day.toordinal(), -_number(native))


R = TypeVar("R", SalesOrder, Invoice, InventoryLevel)


def _changed_since(items: Iterable[R], since: dt.datetime | None) -> list[R]:
    """Change capture: the records changed at or after ``since``, oldest change first."""
    everything = list(items)
    if since is None:
        return everything
    changed = [r for r in everything if r.changed_at is not None and r.changed_at >= since]
    return sorted(changed, key=lambda r: (r.changed_at, r.native_id))


class MemoryErp(StreamsFromPages):
    """A small but consistent ERP: orders are priced, deliveries move stock, invoices bill.

    Every write stamps the records it changes with ``clock()`` (``changed_at``), so the lists
    answer ``changed_since`` as an ERP does. ``limits`` (none by default) are enforced as an
    ERP does: a longer reference is refused.
    """

    def __init__(self, connection: str = "EU01", currency: str = "EUR"):
        self._source = Source(connection=connection, erp="memory")
        self.currency = currency
        self.customers: dict[str, Customer] = {}
        self.products: dict[str, Product] = {}
        self.stock: dict[tuple[str, str], Decimal] = {}
        self.adjustments: dict[str, StockAdjustment] = {}
        self.orders: dict[str, SalesOrder] = {}
        self.deliveries: dict[str, Delivery] = {}
        self.invoices: dict[str, Invoice] = {}
        self.employees: dict[str, Employee] = {}
        self.credit_limits: dict[str, CreditLimit] = {}
        self.cancel_reasons: dict[str, str | None] = {}
        self.calls: Counter[str] = Counter()
        self.fail_with: dict[str, Callable[[], Exception]] = {}
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self.stock_changed: dict[tuple[str, str], dt.datetime] = {}
        self.closed = False
        self.limits = FieldLimits()
        # Streams page this small, so that exports cross chunk boundaries in tests.
        self.stream_page = 3

    # -- seeding -------------------------------------------------------------------------
    def add_customer(self, native_id: str, name: str, country: str = "DE") -> Customer:
        customer = Customer(
            id=canonical_id(self._source.connection, native_id),
            native_id=native_id,
            source=self._source,
            name=name,
            is_organization=True,
            address=Address(city="Berlin", country=country),
        )
        self.customers[native_id] = customer
        return customer

    def set_credit_limit(
        self, native_id: str, amount: str, currency: str | None = None, segment: str = "0000"
    ) -> CreditLimit:
        """Grants customer ``native_id`` a credit limit (read only with the detail asked)."""
        if native_id not in self.customers:
            raise KeyError(f"unknown customer {native_id}")
        limit = CreditLimit(
            amount=Money(amount=Decimal(amount), currency=currency or self.currency),
            credit_segment=segment,
        )
        self.credit_limits[native_id] = limit
        return limit

    def add_product(
        self,
        sku: str,
        name: str,
        price: str,
        stock: dict[str, str],
        *,
        unit: str = "PC",
        unit_decimals: int | None = None,
    ) -> Product:
        product = Product(
            id=canonical_id(self._source.connection, sku),
            native_id=sku,
            source=self._source,
            sku=sku,
            name=name,
            base_unit=unit,
            unit_decimals=unit_decimals,
            list_price=Money(amount=Decimal(price), currency=self.currency),
        )
        self.products[sku] = product
        for location, quantity in stock.items():
            self.stock[(sku, location)] = Decimal(quantity)
            self.stock_changed[(sku, location)] = self.clock()
        return product

    def pay_invoice(self, native_id: str) -> Invoice:
        """The customer paid: the invoice is PAID (as an ERP's clearing would make it)."""
        paid = self.invoices[native_id].model_copy(
            update={"status": InvoiceStatus.PAID, "changed_at": self.clock()}
        )
        self.invoices[native_id] = paid
        return paid

    def add_employee(
        self,
        native_id: str,
        last_name: str,
        *,
        first_name: str | None = None,
        company: str = "1010",
        salary: str | None = None,
        iban: str | None = None,
    ) -> Employee:
        employee = Employee(
            id=canonical_id(self._source.connection, native_id),
            native_id=native_id,
            source=self._source,
            personnel_number=native_id,
            first_name=first_name,
            last_name=last_name,
            company=company,
            hire_date=dt.date(2020, 1, 1),
            salary=None
            if salary is None
            else Compensation(
                amount=Money(amount=Decimal(salary), currency=self.currency),
                period=PayPeriod.ANNUAL,
            ),
            bank_account=None if iban is None else BankAccount(iban=iban),
        )
        self.employees[native_id] = employee
        return employee

    def _disclosed(self, employee: Employee, details: frozenset[EmployeeDetail]) -> Employee:
        return employee.model_copy(
            update={
                "salary": employee.salary if EmployeeDetail.SALARY in details else None,
                "bank_account": employee.bank_account
                if EmployeeDetail.BANK_ACCOUNT in details
                else None,
            }
        )

    # -- port ----------------------------------------------------------------------------
    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(Capability)

    @staticmethod
    def _fits(field: str, value: str, limit: int | None) -> None:
        if limit is not None and len(value) > limit:
            raise errors.ValidationRejected(f"{field} {value!r} is longer than {limit}")

    def _enter(self, method: str) -> None:
        self.calls[method] += 1
        if method in self.fail_with:
            raise self.fail_with[method]()

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        self._enter("list_customers")
        items = sorted(self.customers.values(), key=lambda c: c.native_id)
        if filter.native_ids is not None:
            items = [c for c in items if c.native_id in set(filter.native_ids)]
        if filter.name_contains:
            items = [c for c in items if filter.name_contains.lower() in c.name.lower()]
        if filter.country:
            items = [c for c in items if c.address and c.address.country == filter.country]
        if CustomerDetail.CREDIT_LIMIT in filter.details:
            items = [
                c.model_copy(update={"credit_limit": self.credit_limits.get(c.native_id)})
                for c in items
            ]
        return _page(items, page, lambda c: c.native_id, str)

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        self._enter("list_products")
        items = sorted(self.products.values(), key=lambda p: p.sku)
        if filter.skus is not None:
            items = [p for p in items if p.sku in set(filter.skus)]
        if filter.name_contains:
            items = [p for p in items if filter.name_contains.lower() in p.name.lower()]
        if filter.product_group:
            items = [p for p in items if p.product_group == filter.product_group]
        return _page(items, page, lambda p: p.sku, str)

    def _level(self, sku: str, location: str, qty: Decimal) -> InventoryLevel:
        return InventoryLevel(
            id=canonical_id(self._source.connection, f"{sku}@{location}"),
            native_id=f"{sku}@{location}",
            source=self._source,
            sku=sku,
            location=location,
            quantity=Quantity(value=qty, unit="PC"),
            changed_at=self.stock_changed.get((sku, location)),
        )

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        self._enter("adjust_stock")
        self._fits("movement reference", adjustment.reference, self.limits.movement_reference)
        key = (adjustment.sku, adjustment.location)
        if adjustment.sku not in {p.sku for p in self.products.values()}:
            raise errors.NotFound(f"product {adjustment.sku} does not exist")
        current = self.stock.get(key, Decimal(0))
        if adjustment.reference not in self.adjustments:
            if current + adjustment.quantity < 0:
                raise errors.InsufficientStock(
                    f"{current} {adjustment.sku} at {adjustment.location}, "
                    f"{-adjustment.quantity} to issue"
                )
            current += adjustment.quantity
            self.stock[key] = current
            self.stock_changed[key] = self.clock()
            self.adjustments[adjustment.reference] = adjustment
        return self._level(adjustment.sku, adjustment.location, current)

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        self._enter("list_inventory")
        levels = [
            self._level(sku, location, qty)
            for (sku, location), qty in sorted(self.stock.items())
            if (filter.skus is None or sku in set(filter.skus))
            and (filter.location is None or location == filter.location)
        ]
        if filter.changed_since is not None:
            return _page(_changed_since(levels, filter.changed_since), page)
        return _page(levels, page, lambda v: (v.sku, v.location), keyset.level_after)

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        self._enter("list_sales_orders")
        items = sorted(
            self.orders.values(), key=lambda o: (o.order_date, int(o.native_id)), reverse=True
        )
        if filter.native_ids is not None:
            items = [o for o in items if o.native_id in set(filter.native_ids)]
        if filter.customer_native_id is not None:
            wanted = canonical_id(self._source.connection, filter.customer_native_id)
            items = [o for o in items if o.customer_id == wanted]
        if filter.external_reference is not None:
            items = [o for o in items if o.external_reference == filter.external_reference]
        if filter.status is not None:
            items = [o for o in items if o.status == filter.status]
        if filter.date_from is not None:
            items = [o for o in items if o.order_date >= filter.date_from]
        if filter.date_to is not None:
            items = [o for o in items if o.order_date <= filter.date_to]
        if filter.changed_since is not None:
            return _page(_changed_since(items, filter.changed_since), page)
        return _page(items, page, _order_rank, _order_after)

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        self._enter("get_sales_order")
        try:
            return self.orders[native_id]
        except KeyError:
            raise errors.NotFound(f"sales order {native_id} does not exist") from None

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        self._enter("create_sales_order")
        reference = draft.external_reference or ""
        self._fits("external reference", reference, self.limits.order_reference)
        if draft.customer_native_id not in self.customers:
            raise errors.ValidationRejected(f"sold-to party {draft.customer_native_id} unknown")
        lines = []
        for index, line in enumerate(draft.lines, start=1):
            product = self.products.get(line.sku)
            if product is None or product.list_price is None:
                raise errors.ValidationRejected(f"material {line.sku} unknown")
            line_net = product.list_price.amount * line.quantity
            lines.append(
                SalesOrderLine(
                    line_number=str(index * 10),
                    sku=line.sku,
                    description=product.name,
                    quantity=Quantity(value=line.quantity, unit=line.unit or product.base_unit),
                    net_amount=Money(amount=line_net, currency=self.currency),
                    tax_amount=Money(amount=_tax(line_net), currency=self.currency),
                    location=line.location,
                )
            )
        native = str(len(self.orders) + 1)
        stamp = self.clock()
        net = sum((line.net_amount.amount for line in lines if line.net_amount), Decimal(0))
        tax = sum((line.tax_amount.amount for line in lines if line.tax_amount), Decimal(0))
        order = SalesOrder(
            id=canonical_id(self._source.connection, native),
            native_id=native,
            source=self._source,
            number=native,
            customer_id=canonical_id(self._source.connection, draft.customer_native_id),
            external_reference=draft.external_reference,
            order_date=dt.date.today(),
            created_at=stamp,
            changed_at=stamp,
            net_amount=Money(amount=net, currency=self.currency),
            tax_amount=Money(amount=tax, currency=self.currency),
            gross_amount=Money(amount=net + tax, currency=self.currency),
            status=OrderStatus.ORDERED,
            delivery_status=DocumentStatus.OPEN,
            billing_status=DocumentStatus.NOT_RELEVANT,
            lines=tuple(lines),
        )
        self.orders[native] = order
        return order

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        self._enter("cancel_order")
        order = self.orders.get(native_id)
        if order is None:
            raise errors.NotFound(f"sales order {native_id} does not exist")
        if order.status is OrderStatus.CANCELLED:
            return order
        if order.billing_status in (DocumentStatus.PARTIAL, DocumentStatus.COMPLETE):
            raise errors.NotCancellable(
                f"sales order {native_id} is invoiced", refusal=errors.CancelRefusal.INVOICED
            )
        own = [d for d in self.deliveries.values() if order.id in d.order_ids]
        if any(d.goods_issued for d in own):
            raise errors.NotCancellable(
                f"goods left for sales order {native_id}", refusal=errors.CancelRefusal.SHIPPED
            )
        # Deliveries still in the warehouse are dropped with the order, as an ERP cancels
        # the shipments waiting for it: no stock stays held for a closed order.
        for delivery in own:
            del self.deliveries[delivery.native_id]
        cancelled = order.model_copy(
            update={
                "status": OrderStatus.CANCELLED,
                "delivery_status": DocumentStatus.NOT_RELEVANT,
                "billing_status": DocumentStatus.NOT_RELEVANT,
                "changed_at": self.clock(),
            }
        )
        self.orders[native_id] = cancelled
        self.cancel_reasons[native_id] = reason
        return cancelled

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        self._enter("list_deliveries")
        items = sorted(self.deliveries.values(), key=lambda d: int(d.native_id))
        if (orders := filter.orders()) is not None:
            wanted = {canonical_id(self._source.connection, o) for o in orders}
            items = [d for d in items if wanted.intersection(d.order_ids)]
        if filter.native_ids is not None:
            items = [d for d in items if d.native_id in set(filter.native_ids)]
        return _page(items, page, lambda d: int(d.native_id), _number)

    async def create_delivery(self, order_native_id: str) -> Delivery:
        self._enter("create_delivery")
        order = self.orders.get(order_native_id)
        if order is None:
            raise errors.NotFound(f"sales order {order_native_id} does not exist")
        native = str(80000000 + len(self.deliveries) + 1)
        delivery = Delivery(
            id=canonical_id(self._source.connection, native),
            native_id=native,
            source=self._source,
            number=native,
            customer_id=order.customer_id,
            order_ids=(order.id,),
            goods_issued=False,
            lines=tuple(
                DeliveryLine(
                    line_number=line.line_number,
                    sku=line.sku,
                    quantity=line.quantity,
                    location=line.location,
                    order_id=order.id,
                    order_line=line.line_number,
                )
                for line in order.lines
            ),
        )
        self.deliveries[native] = delivery
        return delivery

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        self._enter("post_goods_issue")
        delivery = self.deliveries.get(delivery_native_id)
        if delivery is None:
            raise errors.NotFound(f"delivery {delivery_native_id} does not exist")
        for line in delivery.lines:
            key = (line.sku, line.location or "")
            if self.stock.get(key, Decimal(0)) < line.quantity.value:
                raise errors.InsufficientStock(f"deficit of {line.sku} at {line.location}")
        for line in delivery.lines:
            self.stock[(line.sku, line.location or "")] -= line.quantity.value
            self.stock_changed[(line.sku, line.location or "")] = self.clock()
        issued = delivery.model_copy(
            update={"goods_issued": True, "goods_issue_date": dt.date.today()}
        )
        self.deliveries[delivery_native_id] = issued
        for order_id in delivery.order_ids:
            native = order_id.split(":", 1)[1]
            self.orders[native] = self.orders[native].model_copy(
                update={
                    "status": OrderStatus.SHIPPED,
                    "delivery_status": DocumentStatus.COMPLETE,
                    "billing_status": DocumentStatus.OPEN,
                    "changed_at": self.clock(),
                }
            )
        return issued

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        self._enter("list_invoices")
        items = sorted(self.invoices.values(), key=lambda i: int(i.native_id))
        if (orders := filter.orders()) is not None:
            wanted = {canonical_id(self._source.connection, o) for o in orders}
            items = [i for i in items if wanted.intersection(i.order_ids)]
        if filter.customer_native_id is not None:
            cust = canonical_id(self._source.connection, filter.customer_native_id)
            items = [i for i in items if i.customer_id == cust]
        if filter.native_ids is not None:
            items = [i for i in items if i.native_id in set(filter.native_ids)]
        if filter.changed_since is not None:
            return _page(_changed_since(items, filter.changed_since), page)
        return _page(items, page, lambda i: int(i.native_id), _number)

    async def create_invoice(self, order_native_id: str) -> Invoice:
        self._enter("create_invoice")
        order = self.orders.get(order_native_id)
        if order is None:
            raise errors.NotFound(f"sales order {order_native_id} does not exist")
        if order.delivery_status is not DocumentStatus.COMPLETE:
            raise errors.ValidationRejected("nothing to bill")
        if order.billing_status is DocumentStatus.COMPLETE:
            raise errors.ValidationRejected("already billed")
        native = str(90000000 + len(self.invoices) + 1)
        net = order.net_amount.amount
        tax = sum(
            (_tax(line.net_amount.amount) for line in order.lines if line.net_amount), Decimal(0)
        )
        invoice = Invoice(
            id=canonical_id(self._source.connection, native),
            native_id=native,
            source=self._source,
            number=native,
            customer_id=order.customer_id,
            order_ids=(order.id,),
            invoice_date=dt.date.today(),
            net_amount=order.net_amount,
            tax_amount=Money(amount=tax, currency=self.currency),
            gross_amount=Money(amount=net + tax, currency=self.currency),
            status=InvoiceStatus.POSTED,
            changed_at=self.clock(),
            lines=tuple(
                InvoiceLine(
                    line_number=line.line_number,
                    sku=line.sku,
                    quantity=line.quantity,
                    net_amount=line.net_amount or Money(amount=Decimal(0), currency=self.currency),
                    tax_amount=line.tax_amount,
                    order_id=order.id,
                )
                for line in order.lines
            ),
        )
        self.invoices[native] = invoice
        self.orders[order_native_id] = order.model_copy(
            update={
                "status": OrderStatus.INVOICED,
                "billing_status": DocumentStatus.COMPLETE,
                "changed_at": self.clock(),
            }
        )
        return invoice

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        self._enter("list_employees")
        items = sorted(self.employees.values(), key=lambda e: e.native_id)
        if filter.native_ids is not None:
            items = [e for e in items if e.native_id in set(filter.native_ids)]
        if filter.company:
            items = [e for e in items if e.company == filter.company]
        if filter.name_contains:
            items = [e for e in items if filter.name_contains.lower() in e.name.lower()]
        if filter.status:
            items = [e for e in items if e.status == filter.status]
        disclosed = (self._disclosed(e, filter.details) for e in items)
        return _page(disclosed, page, lambda e: e.native_id, str)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        self._enter("get_employee")
        if native_id not in self.employees:
            raise errors.NotFound(f"employee {native_id} not found")
        return self._disclosed(self.employees[native_id], details)

    async def aclose(self) -> None:
        self.closed = True
