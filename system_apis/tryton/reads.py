"""Reads shared by the adapter's parts: pages with their total, one record by id.

``search_read`` answers rows without a count, so a page costs one request when it proves the
total itself (the first page is not full, or a later page is neither full nor empty) and two
otherwise: ``search_count`` with the same domain, then ``search_read`` with ``offset`` and
``limit``. Both requests see the same committed data unless a write lands between them.

A page after a key (``PageRequest.after``) adds the key's clause to the domain (:func:`after`
builds it for the usual orders) and reads from there, so records created or removed before it
move nothing; the total then costs a ``search_count``, and the records before the page a
second one when the page is full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from system_apis.contracts import keyset
from system_apis.contracts.errors import NotFound, ValidationRejected
from system_apis.contracts.queries import PageRequest
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.queries import record_id


async def read_page(
    client: TrytonClient,
    model: str,
    domain: Sequence[Any],
    fields: Sequence[str],
    page: PageRequest,
    *,
    order: Sequence[tuple[str, str]],
    context: Mapping[str, Any] | None = None,
    after: Callable[[str], list[Any]] | None = None,
) -> tuple[list[Row], int, int]:
    """The rows of ``page``, the number of matching records before them and of all matching
    ``domain``. A page after a key needs ``after``, which builds the key's clause (see
    :func:`by_id_after`); anything else refuses such a page."""
    if page.after is not None:
        if after is None:
            raise ValidationRejected(
                "this list does not page after a key", connection=client.connection
            )
        clause = _clause(after, page.after, client.connection)
        rows, following, total = await read_after(
            client, model, domain, clause, fields, page.limit, order=order, context=context
        )
        return rows, total - following, total
    rows = await client.search_read(
        model,
        domain,
        fields,
        offset=page.offset,
        limit=page.limit,
        order=order,
        context=context,
    )
    if len(rows) < page.limit and (rows or page.offset == 0):
        return rows, page.offset, page.offset + len(rows)
    total = await client.search_count(model, domain, context=context)
    return rows, page.offset, max(total, page.offset + len(rows))


async def read_after(
    client: TrytonClient,
    model: str,
    domain: Sequence[Any],
    clause: Sequence[Any],
    fields: Sequence[str],
    limit: int,
    *,
    order: Sequence[tuple[str, str]],
    context: Mapping[str, Any] | None = None,
) -> tuple[list[Row], int, int]:
    """Up to ``limit`` rows matching ``domain`` and ``clause`` (the records after a key), the
    number of records matching ``domain`` and ``clause``, and of those matching ``domain``."""
    narrowed = [*domain, clause] if clause else list(domain)
    rows = await client.search_read(
        model, narrowed, fields, limit=limit, order=order, context=context
    )
    following = len(rows)
    if len(rows) == limit:
        following = await client.search_count(model, narrowed, context=context)
    total = await client.search_count(model, list(domain), context=context)
    return rows, following, max(total, following)


def _clause(after: Callable[[str], list[Any]], key: str, connection: str | None) -> list[Any]:
    try:
        return after(key)
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc), connection=connection) from exc


def by_id_after(key: str) -> list[Any]:
    """The records after ``key`` in id order."""
    return ["id", ">", keyset.numeric_after(key, "record")]


def by_code_after(key: str) -> list[Any]:
    """The products after ``key`` in code order (codes are SKUs, unique)."""
    return ["code", ">", key]


def newest_first_after(key: str) -> list[Any]:
    """The sales after an order key, newest first: earlier sale date, or same date and id."""
    day, native_id = keyset.order_after(key)
    number = keyset.numeric_after(native_id, "sales order")
    return ["OR", ["sale_date", "<", day], [["sale_date", "=", day], ["id", "<", number]]]


async def find_one(
    client: TrytonClient,
    model: str,
    native_id: str,
    fields: Sequence[str],
    *,
    what: str,
    domain: Sequence[Any] = (),
    context: Mapping[str, Any] | None = None,
) -> Row:
    """The record ``native_id`` of ``model`` within ``domain``; NotFound when there is none.

    A search rather than a ``read``, so that a missing record is an empty answer and not an
    error message to interpret.
    """
    wanted = record_id(native_id)
    rows = []
    if wanted is not None:
        rows = await client.search_read(
            model, [("id", "=", wanted), *domain], fields, limit=1, context=context
        )
    if not rows:
        raise NotFound(f"Tryton has no {what} {native_id}", connection=client.connection)
    return rows[0]
