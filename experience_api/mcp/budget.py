"""Fitting a compact answer into a token budget, cut only between records.

An answer over its budget keeps its head and as many whole records as fit, and ends with a
line naming how many records are left and the cursor that continues exactly after the last
one shown. The text returned never exceeds the budget: when not even the head and the
continuation line fit, the answer says how many tokens the smallest answer needs instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from experience_api.mcp.compact import (
    Doc,
    Row,
    Table,
    render_head,
    render_table,
    shared,
)
from experience_api.mcp.tokens import TokenCounter

MIN_BUDGET = 64
"""No answer is cut finer than this: a budget below it is refused as an argument."""


@dataclass(frozen=True)
class Fitted:
    """What :func:`fit` made of a document."""

    text: str
    shown: int
    """Records shown (from ``skip`` on)."""
    left: int
    """Records of the document after the last one shown."""
    tokens: int


class BudgetTooSmall(ValueError):
    def __init__(self, needed: int, budget: int) -> None:
        super().__init__(
            f"max_tokens {budget} is too small for this answer: it needs at least {needed}"
        )
        self.needed = needed


def _slice(doc: Doc, start: int, stop: int) -> list[tuple[Table, list[Row]]]:
    """The rows of records ``start`` to ``stop`` (exclusive), by table."""
    parts: list[tuple[Table, list[Row]]] = []
    offset = 0
    for table in doc.tables:
        end = offset + len(table.rows)
        low, high = max(start, offset), min(stop, end)
        if low < high:
            parts.append((table, table.rows[low - offset : high - offset]))
        offset = end
    return parts


def more_line(left: int, cursor: str) -> str:
    return f"more: {left} left, cursor={cursor}"


def fit(
    doc: Doc,
    budget: int,
    count: TokenCounter,
    *,
    skip: int = 0,
    cursor_for: Callable[[int], str] | None = None,
    left_beyond: int = 0,
) -> Fitted:
    """``doc`` from record ``skip`` on, cut to ``budget`` tokens at a record boundary.

    ``cursor_for(n)`` names the cursor that continues after the first ``n`` records of
    ``doc``; ``left_beyond`` counts records the document does not hold but a continuation
    would reach (the next pages). Raises :class:`BudgetTooSmall` when not even one record
    (or the bare head) fits.
    """
    total = doc.records
    skip = min(max(skip, 0), total)
    top = shared(doc)
    head = render_head(doc.head, top)

    def text_for(shown: int) -> str:
        lines = list(head)
        for table, rows in _slice(doc, skip, skip + shown):
            lines.extend(render_table(table, rows, top=top))
        left = total - skip - shown + left_beyond
        if left > 0 and cursor_for is not None:
            lines.append(more_line(left, cursor_for(skip + shown)))
        return "\n".join(lines)

    available = total - skip
    whole = text_for(available)
    tokens = count(whole)
    if tokens <= budget:
        return Fitted(whole, available, total - skip - available, tokens)
    # Largest count of records that fits; token counts grow with rows (near enough for a
    # search), and the answer is re-measured so it never ends over the budget.
    low, high = 0, available - 1
    while low < high:
        middle = (low + high + 1) // 2
        if count(text_for(middle)) <= budget:
            low = middle
        else:
            high = middle - 1
    shown = low
    while True:
        text = text_for(shown)
        tokens = count(text)
        if tokens <= budget and (shown > 0 or available == 0):
            return Fitted(text, shown, total - skip - shown, tokens)
        if shown == 0:
            raise BudgetTooSmall(count(text_for(1)), budget)
        shown -= 1
