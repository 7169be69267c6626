"""The request limits BC enforces per user (here: per app registration).

A sliding window of ``request_quota`` requests per ``quota_window`` seconds; past it, 429
``Application_TooManyRequests`` with ``Retry-After`` (seconds until the oldest request in the
window leaves it). At most ``max_concurrent`` requests in flight; one more is refused with
429 as well, without queueing.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque

from erp_sandbox.business_central.errors import BcError


class RequestLimits:
    def __init__(self, quota: int, window: float, concurrent: int) -> None:
        self.quota, self.window, self.concurrent = quota, window, concurrent
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._running: dict[str, int] = defaultdict(int)
        self.refused = 0

    def enter(self, user: str) -> None:
        """Counts a request in; raises 429 when it is over a limit (and counts nothing)."""
        now = time.monotonic()
        seen = self._seen[user]
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.quota:
            self.refused += 1
            wait = max(1, math.ceil(seen[0] + self.window - now))
            raise BcError(
                429,
                "Application_TooManyRequests",
                "The rate limit of the user was exceeded. Please retry later.",
                {"Retry-After": str(wait)},
            )
        if self._running[user] >= self.concurrent:
            self.refused += 1
            raise BcError(
                429,
                "Application_TooManyRequests",
                "Too many concurrent requests of the user. Please retry later.",
                {"Retry-After": "1"},
            )
        seen.append(now)
        self._running[user] += 1

    def leave(self, user: str) -> None:
        self._running[user] -= 1

    def reset(self) -> None:
        self._seen.clear()
        self._running.clear()
