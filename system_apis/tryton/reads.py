"""Reads shared by the adapter's parts: offset pages with their total, one record by id.

``search_read`` answers rows without a count, so a page costs one request when it proves the
total itself (the first page is not full, or a later page is neither full nor empty) and two
otherwise: ``search_count`` with the same domain, then ``search_read`` with ``offset`` and
``limit``. Both requests see the same committed data unless a write lands between them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from system_apis.contracts.errors import NotFound
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
) -> tuple[list[Row], int]:
    """The rows of ``page`` and the number of records matching ``domain``."""
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
        return rows, page.offset + len(rows)
    total = await client.search_count(model, domain, context=context)
    return rows, max(total, page.offset + len(rows))


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
