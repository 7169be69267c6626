"""Pages after a key (``PageRequest.after``): every adapter, the same promises.

A client pages a list by handing back the page key of the last record it read. Records
created meanwhile before that point (a new order, newest first) are not read twice, records
created after it (a new delivery) are read in their place, and no record that was there all
along is skipped. Offsets and totals stay those of the whole list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from system_apis.contracts import errors, keyset
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.people import EmployeeFilter
from system_apis.contracts.port import Capability, ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.contract.conftest import Subject
from tests.contract.test_adapter_contract import stocked

T = TypeVar("T")
Read = Callable[[PageRequest], Awaitable[Page[T]]]


async def _by_keys(
    read: Read[T],
    key: keyset.KeyOf[T],
    limit: int,
    between: Callable[[int], Awaitable[None]] | None = None,
) -> list[Page[T]]:
    """Every page of ``read``, each after the key of the last record of the one before;
    ``between(n)`` runs after the n-th page (from 1)."""
    pages = [await read(PageRequest(limit=limit))]
    while pages[-1].has_next:
        assert pages[-1].items, "a page with more to come holds records"
        if between is not None:
            await between(len(pages))
        pages.append(await read(PageRequest(after=key(pages[-1].items[-1]), limit=limit)))
        assert len(pages) < 100, "paging does not end"
    return pages


LISTS: dict[str, tuple[Callable[[ErpAdapter], Read[Any]], keyset.KeyOf[Any]]] = {
    "customers": (lambda a: lambda p: a.list_customers(CustomerFilter(), p), keyset.native_key),
    "products": (lambda a: lambda p: a.list_products(ProductFilter(), p), keyset.product_key),
    "inventory": (lambda a: lambda p: a.list_inventory(InventoryFilter(), p), keyset.level_key),
}


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_pages_after_keys_read_the_list_once_in_order(subject: Subject, name: str) -> None:
    reader, key = LISTS[name]
    await _read_once_in_order(reader(subject.adapter), key)


@pytest.mark.needs(Capability.READ_EMPLOYEES)
async def test_employees_after_keys_are_read_once_in_order(subject: Subject) -> None:
    def read(page: PageRequest) -> Awaitable[Page[Any]]:
        return subject.adapter.list_employees(EmployeeFilter(), page)

    if (await read(PageRequest(limit=1))).total < 3:
        pytest.skip("this ERP's sample data holds fewer than three employees")
    await _read_once_in_order(read, keyset.native_key)


async def _read_once_in_order(read: Read[Any], key: keyset.KeyOf[Any]) -> None:
    everything = await read(PageRequest(limit=1000))
    assert everything.total >= 3, "the sample data fills more than one page"

    pages = await _by_keys(read, key, 2)

    records = [record for page in pages for record in page.items]
    assert [r.id for r in records] == [r.id for r in everything.items]
    assert [page.total for page in pages] == [everything.total] * len(pages)
    starts = [sum(len(p.items) for p in pages[:index]) for index in range(len(pages))]
    assert [page.offset for page in pages] == starts
    assert [page.has_next for page in pages] == [True] * (len(pages) - 1) + [False]


async def _order(subject: Subject, reference: str) -> str:
    adapter = subject.adapter
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    product = (await adapter.list_products(ProductFilter(), PageRequest(limit=1))).items[0]
    level = await stocked(subject, product.sku)
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        external_reference=reference,
        lines=(
            OrderLineDraft(
                sku=product.sku,
                quantity=Decimal(1),
                unit=product.base_unit,
                location=level.location,
            ),
        ),
    )
    return (await adapter.create_sales_order(draft)).native_id


async def test_records_created_while_paging_are_neither_repeated_nor_leave_gaps(
    subject: Subject,
) -> None:
    adapter = subject.adapter
    orders = [await _order(subject, f"GWkeyset-{n}") for n in range(3)]
    deliveries = [(await adapter.create_delivery(o)).native_id for o in orders[:2]]

    def read_orders(page: PageRequest) -> Awaitable[Page[Any]]:
        return adapter.list_sales_orders(SalesOrderFilter(), page)

    before = [o.native_id for o in (await read_orders(PageRequest(limit=1000))).items]
    created: list[str] = []

    async def new_order(page: int) -> None:
        if page == 1:  # newest first: the new order lands before the client's position
            created.append(await _order(subject, "GWkeyset-new"))

    pages = await _by_keys(read_orders, keyset.order_key, 2, new_order)
    read = [o.native_id for page in pages for o in page.items]
    assert read == before, "no order read twice, none of those there all along skipped"
    assert created[0] not in read
    assert pages[-1].total == len(before) + 1

    def read_deliveries(page: PageRequest) -> Awaitable[Page[Any]]:
        return adapter.list_deliveries(DeliveryFilter(order_native_ids=orders), page)

    async def new_delivery(page: int) -> None:
        if page == 1:  # after the client's position: read in its place
            created.append((await adapter.create_delivery(orders[2])).native_id)

    shipped = await _by_keys(read_deliveries, keyset.native_key, 1, new_delivery)
    assert [d.native_id for page in shipped for d in page.items] == [*deliveries, created[1]]

    # Many ids, more than one request of some ERPs names: the pages after keys cut the same
    # list, newest first.
    named = [*orders, *created[:1], *(str(9_900_000 + n) for n in range(45))]

    def read_named(page: PageRequest) -> Awaitable[Page[Any]]:
        return adapter.list_sales_orders(SalesOrderFilter(native_ids=named), page)

    everything = await read_named(PageRequest(limit=100))
    assert sorted(o.native_id for o in everything.items) == sorted([*orders, *created[:1]])
    by_keys = await _by_keys(read_named, keyset.order_key, 1)
    assert [o.native_id for p in by_keys for o in p.items] == [
        o.native_id for o in everything.items
    ]
    assert [p.offset for p in by_keys] == list(range(len(everything.items)))


@pytest.mark.parametrize(
    ("list_name", "key"),
    [("orders", "not a key"), ("orders", '["2026-13-01","1"]'), ("inventory", '["only"]')],
)
async def test_a_key_no_list_produces_is_refused(
    subject: Subject, list_name: str, key: str
) -> None:
    adapter = subject.adapter
    page = PageRequest(after=key)
    read = (
        adapter.list_sales_orders(SalesOrderFilter(), page)
        if list_name == "orders"
        else adapter.list_inventory(InventoryFilter(), page)
    )
    with pytest.raises(errors.ValidationRejected):
        await read


def test_a_page_starts_at_an_offset_or_after_a_key() -> None:
    with pytest.raises(ValueError, match="not both"):
        PageRequest(offset=2, after="7")
