"""Read helpers of the Business Central adapter: filters to ``$filter`` text, local paging.

Pages after a key (``PageRequest.after``): a server-paged list adds a ``$filter`` clause on
its ``$orderby`` (``number gt '...'``, orders ``number lt '...'``, newest first), a list paged
here skips the records that do not follow the key in its order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from system_apis.business_central.client import BcClient, JsonObject, any_of, literal
from system_apis.contracts import keyset
from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.models import InventoryLevel, SalesOrder
from system_apis.contracts.queries import Page, PageRequest

T = TypeVar("T")


def when(value: dt.datetime) -> str:
    """An OData v4 DateTimeOffset literal in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def conjunction(*parts: str | None) -> str | None:
    present = [f"({p})" for p in parts if p]
    return " and ".join(present) or None


def equals(field: str, value: str | None) -> str | None:
    return None if value is None else f"{field} eq {literal(value)}"


def one_of(field: str, values: Sequence[str] | None) -> str | None:
    return None if values is None else any_of(field, list(dict.fromkeys(values)))


Follows = Callable[[str], Callable[[T], bool]]
"""For a page key, whether a record comes after it in the list's order."""


def local_page(items: Sequence[T], page: PageRequest, after: Follows[T] | None = None) -> Page[T]:
    """``page`` of ``items`` (in list order), by offset or after a key (``after`` tells what
    follows one; None: the list pages by offset only)."""
    start = page.offset
    if page.after is not None:
        if after is None:
            keyset.offsets_only(page, None)
        else:
            follows = _follows(after, page.after)
            start = sum(1 for item in items if not follows(item))
    return Page(items=tuple(items[start : start + page.limit]), offset=start, total=len(items))


def _follows(after: Follows[T], key: str) -> Callable[[T], bool]:
    try:
        return after(key)
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc)) from exc


def text_after(key: str) -> Callable[[Any], bool]:
    """Records by native id as text (BC's ``$orderby=number``)."""
    return lambda record: record.native_id > key


def number_after(key: str) -> Callable[[Any], bool]:
    """Records by native id as numbers read ("2" before "10")."""
    mark = (len(key), key)
    return lambda record: (len(record.native_id), record.native_id) > mark


def level_after(key: str) -> Callable[[InventoryLevel], bool]:
    mark = keyset.level_after(key)
    return lambda level: (level.sku, level.location) > mark


def order_number(key: str) -> str:
    """The number in an order key (BC lists orders by number, newest first)."""
    return keyset.order_after(key)[1]


def order_after(key: str) -> Callable[[SalesOrder], bool]:
    number = order_number(key)
    return lambda order: order.native_id < number


def key_clause(clause: Callable[[str], str], key: str) -> str:
    """The ``$filter`` clause of what follows ``key``; ValidationRejected for a bad key."""
    try:
        return clause(key)
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc)) from exc


async def server_page(
    client: BcClient,
    path: str,
    params: dict[str, str],
    page: PageRequest,
    after: Callable[[str], str] | None = None,
) -> tuple[list[JsonObject], int, int]:
    """One page of ``path`` read by BC (``$skip``/``$top``, or after a key with the clause
    ``after`` builds; None: offsets only): its rows, the records before them and the total."""
    query = {**params, "$top": str(page.limit), "$count": "true"}
    whole: JsonObject | None = None
    if page.after is None:
        query["$skip"] = str(page.offset)
    elif after is None:
        keyset.offsets_only(page, client.connection)
    else:
        following = key_clause(after, page.after)
        query["$filter"] = conjunction(params.get("$filter"), following) or following
        whole = await client.get(path, {**params, "$top": "0", "$count": "true"})
    body = await client.get(path, query)
    rows = list(body.get("value") or [])
    link = body.get("@odata.nextLink")
    while link and len(rows) < page.limit:  # BC pages even a $top read past its page size
        async for more in client.pages_from(str(link)):
            rows.extend(more)
        link = None
    count = int(body.get("@odata.count", len(rows)))
    if whole is None:
        return rows, page.offset, count
    total = max(int(whole.get("@odata.count", count)), count)
    return rows, total - count, total
