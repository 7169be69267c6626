"""Read helpers of the Business Central adapter: filters to ``$filter`` text, local paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from system_apis.business_central.client import any_of, literal
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


def local_page(items: Sequence[T], page: PageRequest) -> Page[T]:
    return Page(
        items=tuple(items[page.offset : page.offset + page.limit]),
        offset=page.offset,
        total=len(items),
    )
