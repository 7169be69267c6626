"""Recent selections of collection reads, so that the next pages of a read cost their page.

A server-paged read (``__next``) asks the same ``$filter`` and ``$orderby`` again for every
page; filtering and sorting a large entity set each time would make reading it quadratic.
:class:`Selections` keeps the matching, ordered rows of the last few reads, keyed by the
store's write generation, so any write makes them unreachable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from erp_sandbox.odata.edm import Row


class Selections:
    """The selected rows of the ``size`` most recent distinct reads."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, list[Row]] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, key: Hashable, select: Callable[[], list[Row]]) -> list[Row]:
        """The rows selected for ``key``: kept ones, or ``select()``'s, then kept."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        selected = select()
        with self._lock:
            self._entries[key] = selected
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return selected
