"""Reading a whole entity set from SAP in windows: large ``$top`` requests, answers of SAP's
own page size, and every answer after the first starting where the one before ended.

SAP may answer fewer entities than asked and link the rest (``__next``, server-driven
paging). Its ``$skiptoken`` counts the entities already sent, though, like ``$skip``: a
record written meanwhile before the read's position shifts both by one, repeating a record at
the next boundary (or, deleted, leaving one out). A read given a :class:`Continuation`
therefore goes on after the last entity it received instead, with a ``$filter`` clause on the
read's order, so what is written during a long read moves nothing; one without follows the
``__next`` links inside a window and ``$skip``s the windows read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from dataclasses import dataclass

from system_apis.contracts.errors import ErpError
from system_apis.sap.answers import JsonObject, ODataCollection
from system_apis.sap.client import SapODataClient
from system_apis.sap.odata import Filter, all_of


@dataclass(frozen=True)
class Continuation:
    """How a read goes on after an answer that is not its last.

    Without ``group``, ``clause`` selects what follows an entity (the read's order identifies
    entities). With it, the order ties the entities of a group (stock rows of one batch that
    differ only in special stock), and ``clause`` selects from an entity's group on: the
    entities of an answer's last group are held back and read again with the rest of their
    group, never cut in two. An answer holding one group only goes on by offset.
    """

    clause: Callable[[JsonObject], Filter]
    group: Callable[[JsonObject], Hashable] | None = None

    def cut(self, rows: list[JsonObject]) -> int:
        """How many of ``rows`` to pass on now: all but the last group's, if grouped."""
        if self.group is None:
            return len(rows)
        last = self.group(rows[-1])
        cut = len(rows)
        while cut and self.group(rows[cut - 1]) == last:
            cut -= 1
        return cut


async def windows(
    client: SapODataClient,
    service: str,
    entity_set: str,
    *,
    window: int,
    filter: Filter | None = None,
    select: Sequence[str] = (),
    expand: Sequence[str] = (),
    orderby: Sequence[str] = (),
    continuation: Continuation | None = None,
) -> AsyncIterator[list[JsonObject]]:
    """Every entity of a read, one list per SAP answer, never all of them at once: windows
    of ``window`` entities (``$top``), a window answered short the last one. The next answer
    is requested as soon as its position is known, while the caller still works on this one:
    one request ahead, no more."""

    async def fetch(link: str | None, start: JsonObject | None, skip: int) -> ODataCollection:
        if link is not None:
            return await client.get_next(service, link)
        condition = filter
        if start is not None and continuation is not None:
            clause = continuation.clause(start)
            condition = clause if filter is None else all_of(filter, clause)
        return await client.get_collection(
            service,
            entity_set,
            filter=condition,
            select=select,
            expand=expand,
            orderby=orderby,
            top=window,
            skip=skip,
        )

    start: JsonObject | None = None  # the window starts at (or after) this entity
    skip = received = 0  # entities of the window before the answer awaited; of the window
    pending: asyncio.Task[ODataCollection] | None = asyncio.create_task(fetch(None, None, 0))
    try:
        while pending is not None:
            answer = await pending
            rows = answer.results
            received += len(rows)
            more = bool(answer.next_link) or received >= window
            passed = rows
            if not more:
                pending = None
            elif not rows and answer.next_link:
                pending = asyncio.create_task(fetch(answer.next_link, None, skip))
            elif continuation is not None and rows and (cut := continuation.cut(rows)):
                passed, start, skip, received = rows[:cut], rows[-1], 0, 0
                pending = asyncio.create_task(fetch(None, start, 0))
            elif continuation is not None:
                # One group fills the answer: on by offset within the window.
                skip, received = skip + len(rows), 0
                pending = asyncio.create_task(fetch(None, start, skip))
            elif answer.next_link:
                pending = asyncio.create_task(fetch(answer.next_link, None, skip))
            else:
                skip, received = skip + received, 0
                pending = asyncio.create_task(fetch(None, None, skip))
            yield passed
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, ErpError):
                await pending
