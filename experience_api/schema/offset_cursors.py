"""Opaque cursors over one offset-paged list (the admin lists: quarantine, deliveries).

The cursor names its list, so a cursor of one list handed to another is refused rather
than silently read as a position.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from experience_api.schema.common import Connection, Edge, PageInfo
from experience_api.schema.errors import ClientError

N = TypeVar("N")


class OffsetCursors:
    """Cursors ``<list>:<offset>``, base64url-encoded."""

    def __init__(self, list_name: str):
        self._prefix = f"{list_name}:"

    def encode(self, offset: int) -> str:
        return base64.urlsafe_b64encode(f"{self._prefix}{offset}".encode()).decode("ascii")

    def offset_after(self, cursor: str | None) -> int:
        """Where the page after ``cursor`` starts; ClientError when it is not one of ours."""
        if cursor is None:
            return 0
        try:
            text = base64.b64decode(cursor[:64].encode("ascii"), altchars=b"-_", validate=True)
            head, _, digits = text.decode("ascii").partition(":")
        except (UnicodeError, binascii.Error):
            head = digits = ""
        if f"{head}:" != self._prefix or not digits.isdecimal():
            raise ClientError(f"invalid cursor {cursor[:64]!r}", field="after")
        return int(digits) + 1

    def connection(self, nodes: Sequence[N], start: int, total: int) -> Connection[N]:
        """The Relay connection of ``nodes``, the page starting at offset ``start`` of
        ``total``."""
        edges = [Edge(cursor=self.encode(start + i), node=node) for i, node in enumerate(nodes)]
        return Connection(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(
                has_next_page=start + len(edges) < total,
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )
