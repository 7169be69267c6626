"""Nested fields of a page read before the page is returned, for the whole page at once.

A list resolver looks ahead at what its operation selects (:mod:`.lookahead`) and reads the
nested records of every item through the request's DataLoaders, one batch per kind, as the
per-item loaders would; each item then carries a :class:`Preloaded` answer, and its field
resolves to a plain value (or raises that item's error) without awaiting anything. The
per-item checks stay in the field resolvers: a preloaded value is handed out only after the
same scope check as a loaded one. Fields of records that were not preloaded (a single order,
a mutation's payload) still go through the loaders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
Item = TypeVar("Item")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class Preloaded(Generic[T]):
    """One item's answer read ahead: its value, or the error its field raises."""

    value: T | None = None
    error: BaseException | None = None

    def get(self) -> T | None:
        if self.error is not None:
            raise self.error
        return self.value


async def preload(
    loader: DataLoader[K, T],
    items: Sequence[Item],
    key: Callable[[Item], K],
    convert: Callable[[T], U],
    attach: Callable[[Item, Preloaded[U]], None],
) -> None:
    """Loads the distinct keys of ``items`` in one batch of ``loader`` and attaches to each
    item its answer, converted once per key; a key whose read failed carries its error."""
    keys = list(dict.fromkeys(key(item) for item in items))
    found = await asyncio.gather(*(loader.load(k) for k in keys), return_exceptions=True)
    answers: dict[K, Preloaded[U]] = {}
    for k, value in zip(keys, found, strict=True):
        if isinstance(value, asyncio.CancelledError):
            raise value
        if isinstance(value, BaseException):
            answers[k] = Preloaded(error=value)
        else:
            answers[k] = Preloaded(value=convert(value))
    for item in items:
        attach(item, answers[key(item)])
