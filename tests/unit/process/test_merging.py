"""Paging one list across connections: every record exactly once, in a consistent order."""

from __future__ import annotations

import datetime as dt

import pytest

from process_apis.merging import MergedPage, Window, merge
from system_apis.contracts.queries import Page, PageRequest

DATA = {
    "EU01": [("EU01", dt.date(2026, 1, d)) for d in (30, 20, 10, 5, 1)],
    "US01": [("US01", dt.date(2026, 1, d)) for d in (25, 20, 2)],
    "EMPTY": [],
}
Item = tuple[str, dt.date]


async def fetch(name: str, page: PageRequest) -> Page[Item]:
    rows = DATA[name]
    return Page(
        items=tuple(rows[page.offset : page.offset + page.limit]),
        offset=page.offset,
        total=len(rows),
    )


async def read_all(size: int, key: object = None) -> list[MergedPage[Item]]:
    pages, window = [], Window(limit=size)
    while True:
        page = await merge(list(DATA), window, fetch, key)  # type: ignore[arg-type]
        pages.append(page)
        if not page.has_next:
            return pages
        window = Window(limit=size, start=page.positions[-1])


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 50])
async def test_one_after_another_without_gaps_or_repeats(size: int) -> None:
    pages = await read_all(size)
    items = [item for page in pages for item in page.items]
    assert items == DATA["EU01"] + DATA["US01"]
    assert all(page.total == 8 for page in pages)
    assert pages[0].has_previous is False
    assert all(page.has_previous for page in pages[1:])


@pytest.mark.parametrize("size", [1, 2, 3, 8])
async def test_newest_first_across_connections(size: int) -> None:
    pages = await read_all(size, key=lambda item: -item[1].toordinal())
    items = [item for page in pages for item in page.items]
    assert [d.day for _, d in items] == [30, 25, 20, 20, 10, 5, 2, 1]
    # Equal dates keep connection order, so the order never depends on timing.
    assert items[2:4] == [("EU01", dt.date(2026, 1, 20)), ("US01", dt.date(2026, 1, 20))]


async def test_positions_count_what_was_read_from_each_connection() -> None:
    page = await merge(list(DATA), Window(limit=3), fetch, lambda i: -i[1].toordinal())
    assert page.positions == ({"EU01": 1}, {"EU01": 1, "US01": 1}, {"EU01": 2, "US01": 1})


async def test_a_page_costs_one_call_per_connection() -> None:
    calls: list[str] = []

    async def counting(name: str, page: PageRequest) -> Page[Item]:
        calls.append(name)
        return await fetch(name, page)

    await merge(list(DATA), Window(limit=50), counting)
    assert sorted(calls) == sorted(DATA)


async def test_key_positions_hold_under_inserts_on_every_side() -> None:
    held = {"EU01": [10, 20, 30, 40], "US01": [15, 25, 35]}

    async def by_key(name: str, page: PageRequest) -> Page[int]:
        rows = sorted(held[name])
        start = page.offset if page.after is None else sum(r <= int(page.after) for r in rows)
        return Page(items=tuple(rows[start : start + page.limit]), offset=start, total=len(rows))

    pages: list[MergedPage[int]] = []
    window = Window(limit=2)
    while True:
        page = await merge(["EU01", "US01"], window, by_key, key=lambda r: r, page_key=str)
        pages.append(page)
        held["EU01"].append(min(held["EU01"]) - 1)  # before every position: never read
        if len(pages) == 1:
            held["US01"].append(30)  # past the position: read in its place
        if not page.has_next:
            break
        window = Window(limit=2, start=page.positions[-1])
    assert [r for page in pages for r in page.items] == [10, 15, 20, 25, 30, 30, 35, 40]
    assert [page.has_previous for page in pages] == [False, True, True, True]
    assert pages[-1].total == (4 + 3) + (3 + 1)  # read before the last insert
