"""Whole GraphQL results of ERP reads, answered again from the cache (like Apollo's
response cache), for callers who see the same.

A query whose root fields all read ERP records (:data:`CACHEABLE_ROOTS`) is executed once
inside a :class:`~system_apis.caching.trace.ReadTrace`; when every read it made went through
the read cache, its result is kept under a key of:

* the normalized document, the operation name and the variables;
* the caller's visibility: scopes, roles and the connections (companies) it may see: the
  only inputs of the access checks and field-level protection a result went through, so a
  result is never served to a caller who would have seen something else.

The entry holds the read cache's version of every read it was built from and expires with
the earliest of them (the shortest TTL of the kinds read, counted from when the ERP was
asked). A later request finds the entry only while all those versions are unchanged, so the
gateway's writes, change capture, business and inbound events, which drop reads by replacing
their versions (also across replicas through Redis), drop the results built from them too.

Never kept: mutations and subscriptions; results with errors; results built from a read
that bypassed the cache (reads that guard writes, sensitive customer or employee data,
degraded pages, an unreachable cache); results that disclosed a sensitive value, so its
audit record is written on every request. Checks before execution (parsing, validation,
limits, persisted operations) run on every request, cached or not.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from typing import Any

from graphql.utilities import strip_ignored_characters

from experience_api.security.principal import Principal
from system_apis.caching.store import ResponseCache

_FOREVER = 86_400.0
"""The lookup's own age limit: entries carry their expiry, checked on every hit."""


class ResultCache:
    """Kept GraphQL results on the read cache's backend (``cache``): in memory, or in Redis
    shared by the replicas; keys under ``{prefix}:graphql:``."""

    def __init__(self, cache: ResponseCache, *, prefix: str = "erp-gateway") -> None:
        self._cache = cache
        self._prefix = f"{prefix}:graphql:"

    def key(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        principal: Principal,
    ) -> str:
        visibility = {
            "scopes": sorted(principal.scopes),
            "roles": sorted(principal.roles),
            "connections": None if principal.connections is None else sorted(principal.connections),
        }
        request = json.dumps(
            [_normalized(query), operation_name, variables or {}, visibility],
            sort_keys=True,
            default=str,
        )
        return self._prefix + hashlib.sha256(request.encode()).hexdigest()

    async def get(self, key: str) -> dict[str, Any] | None:
        """The entry under ``key`` while it is fresh and its reads' versions unchanged."""
        entry: dict[str, Any] | None = await self._cache.get(key, _FOREVER, dict[str, Any])
        if entry is None or self._cache.clock() >= entry["expires_at"]:
            return None
        names = list(entry["versions"])
        if names and await self._cache.versions(names) != [entry["versions"][n] for n in names]:
            return None
        return entry

    async def put(self, key: str, entry: dict[str, Any]) -> None:
        now = self._cache.clock()
        ttl = entry["expires_at"] - now
        if ttl > 0:
            await self._cache.put(key, entry, math.ceil(ttl), now, dict[str, Any])


@functools.lru_cache(maxsize=512)
def _normalized(query: str) -> str:
    """The document without what does not change its meaning (spaces, commas, comments)."""
    return strip_ignored_characters(query)
