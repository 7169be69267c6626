"""SAP's CSRF protection of writes: per-service-root tokens and how SAP asks for a new one.

SAP Gateway wants an ``X-CSRF-Token`` on every write. A token is fetched with a read carrying
``X-CSRF-Token: Fetch``; it belongs to the session whose cookies came with that answer, which
the ``httpx.AsyncClient`` keeps. SAP rejects a stale token with ``403`` and
``X-CSRF-Token: Required``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import httpx

CSRF_HEADER = "X-CSRF-Token"


class CsrfTokens:
    """The CSRF token of each service root, fetched at most once at a time per root."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def token(
        self,
        root: str,
        fetch: Callable[[], Awaitable[httpx.Response]],
        *,
        stale: str | None = None,
    ) -> str:
        """The token of ``root``; ``fetch`` gets one when it is missing or equal to ``stale``."""
        current = self._tokens.get(root)
        if current is not None and current != stale:
            return current
        lock = self._locks.setdefault(root, asyncio.Lock())
        async with lock:
            current = self._tokens.get(root)
            if current is not None and current != stale:
                return current
            response = await fetch()
            token: str = response.headers.get(CSRF_HEADER, "")
            self._tokens[root] = token
            return token


def with_token(headers: Mapping[str, str], token: str) -> dict[str, str]:
    """``headers`` plus the token, when there is one."""
    result = dict(headers)
    if token:
        result[CSRF_HEADER] = token
    return result


def csrf_required(response: httpx.Response) -> bool:
    """Whether SAP refused a write for a missing or stale token."""
    return (
        response.status_code == 403
        and response.headers.get(CSRF_HEADER, "").strip().lower() == "required"
    )
