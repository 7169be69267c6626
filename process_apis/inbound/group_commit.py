"""Group commit: one transaction for the writes that arrive while another is being written.

The state database takes one writer at a time (SQLite) and syncs each commit. The first
write to arrive is made at once; those arriving while that transaction runs wait for it and
are made together in the next one, in the order they arrived. Each caller is answered only
once its own item is committed, with its own answer (or the group's error).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Writes items through ``write_all`` (one transaction for a list, one answer per item,
    in order), grouping the items submitted while a write runs."""

    def __init__(self, write_all: Callable[[list[T]], Awaitable[Sequence[R]]]):
        self._write_all = write_all
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """The answer for ``item`` once its group is committed. A caller cancelled here does
        not withdraw the item: it is written with its group."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await future

    async def drain(self) -> None:
        """Wait for the group being written, if any: a caller that stops (its waiters
        cancelled) returns only once that transaction is over, so it never finishes later
        on a state database the caller has meanwhile closed."""
        writer = self._writer
        if writer is not None:
            await asyncio.wait({writer})

    async def _write(self) -> None:
        group: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    answers = await self._write_all([item for item, _ in group])
                except Exception as exc:
                    for _, future in group:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), answer in zip(group, answers, strict=True):
                    if not future.done():
                        future.set_result(answer)
                group = []
        finally:
            # Stopped mid-way (the process shuts down): nobody is left waiting forever.
            for _, future in [*group, *self._waiting]:
                future.cancel()
            self._waiting = []
            self._writer = None
