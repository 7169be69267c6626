"""Token budgets: an answer never exceeds its budget, never cuts a record in half, and its
cursor continues exactly where it stopped."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experience_api.mcp.budget import BudgetTooSmall, fit
from experience_api.mcp.compact import records_doc, render_table, to_doc
from experience_api.mcp.tokens import o200k

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
RECORD = st.fixed_dictionaries(
    {"id": st.integers(0, 10**9).map(lambda n: f"EU01:{n}")},
    optional={
        "name": TEXT,
        "amount": st.decimals(-(10**6), 10**6, places=2).map(
            lambda d: {"amount": str(d), "currency": "EUR"}
        ),
        "lines": st.lists(st.fixed_dictionaries({"sku": TEXT, "n": st.integers()}), max_size=3),
        "note": st.none(),
    },
)


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(RECORD, max_size=40, unique_by=lambda r: r["id"]),
    budget=st.integers(64, 600),
)
def test_never_over_budget_rows_intact_and_the_cursor_goes_on_exactly(
    records: list[dict[str, Any]], budget: int
) -> None:
    doc = records_doc("orders", records, total=len(records))
    cursors: list[int] = []
    shown: list[str] = []
    skip = 0
    while True:
        try:
            fitted = fit(doc, budget, o200k, skip=skip, cursor_for=lambda n: f"c{n}")
        except BudgetTooSmall:
            # Only when one record alone (with the head) cannot fit.
            one = fit(doc, 100_000, o200k, skip=skip, cursor_for=lambda n: f"c{n}")
            assert one.shown >= 1
            return
        assert fitted.tokens == o200k(fitted.text) <= budget
        assert fitted.shown >= 1 or doc.records == 0
        page = doc.tables[0].rows[skip : skip + fitted.shown] if doc.tables else []
        # The answer is the head and whole rows (nested lines included), nothing else.
        whole = ["total: " + str(len(records)), *render_table(doc.tables[0], page)] if page else []
        assert fitted.text.splitlines()[: len(whole)] == whole
        assert len(fitted.text.splitlines()) - len(whole) <= (1 if fitted.left else 0) + (
            0 if page else 1
        )
        shown.extend(str(r.cells["id"]) for r in page)
        if fitted.left == 0:
            assert "more:" not in fitted.text
            break
        assert fitted.text.endswith(f"more: {fitted.left} left, cursor=c{skip + fitted.shown}")
        cursors.append(skip + fitted.shown)
        skip += fitted.shown
    assert shown == [r["id"] for r in records]
    assert cursors == sorted(set(cursors))


def test_a_cut_answer_names_how_many_records_are_left() -> None:
    records = [{"id": f"EU01:{n}", "name": f"customer {n}"} for n in range(100)]
    doc = records_doc("customers", records)

    fitted = fit(doc, 120, o200k, cursor_for=lambda n: f"after-{n}")

    assert 0 < fitted.shown < 100
    assert fitted.text.endswith(f"more: {100 - fitted.shown} left, cursor=after-{fitted.shown}")
    assert o200k(fitted.text) <= 120


def test_records_beyond_the_page_count_as_left() -> None:
    doc = records_doc("customers", [{"id": "EU01:1"}])

    fitted = fit(doc, 200, o200k, cursor_for=lambda n: "next", left_beyond=41)

    assert fitted.text.endswith("more: 41 left, cursor=next")


def test_a_budget_too_small_for_one_record_is_refused_not_overrun() -> None:
    doc = records_doc("notes", [{"id": "EU01:1", "text": "word " * 200}])

    with pytest.raises(BudgetTooSmall, match="needs at least"):
        fit(doc, 64, o200k)


def test_a_single_object_is_cut_between_the_rows_of_its_tables() -> None:
    order = {
        "id": "EU01:1",
        "lines": [{"sku": f"SKU-{n}", "qty": n} for n in range(50)],
        "invoices": [{"id": f"EU01:9{n}"} for n in range(5)],
    }
    doc = to_doc(order)

    first = fit(doc, 100, o200k, cursor_for=str)
    rest = fit(doc, 10_000, o200k, skip=first.shown, cursor_for=str)

    assert first.text.startswith("id: EU01:1\n[lines]")
    assert first.shown + rest.shown == 55
    assert "SKU-49" in rest.text
    assert "[invoices]" in rest.text
