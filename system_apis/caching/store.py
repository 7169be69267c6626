"""``ResponseCache``: cached answers and the versions that invalidate them, on aiocache.

Keys live under ``{prefix}:{connection}:{kind}:``. Each kind has *versions*: one for the
whole kind (``v:all``), one for its reads that are not limited to named records
(``v:lists``) and one per record (``v:r:{native id}``; for stock, per SKU). A read's key
hashes the method, its arguments and the versions it depends on: ``v:all`` and either
``v:lists`` or the versions of the records it names. Invalidating a record replaces its
version and ``v:lists``, so "the stock of SKU X" is dropped without scanning, and every
replica sharing the backend (Redis) sees it on its next read.

A version is a random token, not a counter: a version that expired (they live as long as
the longest TTL) comes back as "unset", never as a value an older entry was stored under
after a later change. A version read before the ERP is asked is the one the answer is
stored under, so an answer that raced an invalidation is stored under a version nobody
asks for any more.

Entries carry the time the ERP was asked; one older than the TTL the reader allows is a
miss, whatever the backend's own expiry. The backend failing (Redis unreachable, slow) makes
reads misses and invalidations no-ops, logged: the ERP answers then, and what was cached
before the failure is bounded by its TTL.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
import urllib.parse
from collections.abc import Callable, Collection, Sequence
from typing import Any

from aiocache import RedisCache, SimpleMemoryCache
from aiocache.serializers import StringSerializer
from pydantic import TypeAdapter

from system_apis.caching.policy import RecordKind
from system_apis.caching.trace import current_trace, not_cacheable

logger = logging.getLogger(__name__)

UNSET = "0"
"""The version of a namespace that was never invalidated (or whose version expired)."""


class ResponseCache:
    """Cached ERP answers on an aiocache ``backend``.

    ``encoded``: the backend holds strings (Redis), so answers are stored as JSON and read
    back through their type; otherwise (memory) the immutable answer itself is kept.
    ``version_ttl`` must be at least the longest TTL of any entry; ``clock`` is wall-clock
    seconds, shared by the replicas.
    """

    def __init__(
        self,
        backend: Any,
        *,
        prefix: str = "erp-gateway",
        encoded: bool = False,
        version_ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._backend = backend
        self._prefix = prefix
        self._encoded = encoded
        self._version_ttl = max(1, math.ceil(version_ttl))
        self._clock = clock

    @classmethod
    def in_memory(
        cls,
        *,
        prefix: str = "erp-gateway",
        version_ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> ResponseCache:
        """This process's own cache (no per-operation timeout: nothing can hang)."""
        return cls(
            SimpleMemoryCache(timeout=None),
            prefix=prefix,
            version_ttl=version_ttl,
            clock=clock,
        )

    @classmethod
    def redis(
        cls,
        url: str,
        *,
        prefix: str = "erp-gateway",
        timeout: float = 0.5,
        version_ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> ResponseCache:
        """A cache every replica given the same ``url`` and ``prefix`` shares.

        ``url``: ``redis://[:password@]host[:port][/db]`` (``rediss://`` for TLS);
        ``timeout`` bounds each cache operation, after which it counts as failed.
        """
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("redis", "rediss"):
            raise ValueError("the cache's Redis URL must start with redis:// or rediss://")
        db = parsed.path.strip("/") or "0"
        backend = RedisCache(
            serializer=StringSerializer(),
            endpoint=parsed.hostname or "127.0.0.1",
            port=parsed.port or 6379,
            db=int(db),
            password=parsed.password,
            ssl=parsed.scheme == "rediss",
            timeout=timeout,
            create_connection_timeout=timeout,
        )
        return cls(backend, prefix=prefix, encoded=True, version_ttl=version_ttl, clock=clock)

    def clock(self) -> float:
        """Wall-clock seconds, as the entries' ages are counted."""
        return self._clock()

    # -- reads ---------------------------------------------------------------------------------

    async def key(
        self,
        connection: str,
        kind: RecordKind,
        request: str,
        records: Sequence[str] | None,
    ) -> str | None:
        """The key of a read of ``kind`` described by ``request`` (method and arguments),
        limited to ``records`` (native ids; SKUs for stock) or not (None), under the
        versions in force now; None when the backend cannot be reached."""
        space = self._space(connection, kind)
        names = [f"{space}v:all"]
        if records is None:
            names.append(f"{space}v:lists")
        else:
            names.extend(f"{space}v:r:{record}" for record in records)
        versions = await self.versions(names)
        if versions is None:
            return None
        trace = current_trace()
        if trace is not None:
            trace.depend(names, versions)
        digest = hashlib.sha256(request.encode())
        for version in versions:
            digest.update(b"\x1f" + (version or UNSET).encode())
        return f"{space}e:{digest.hexdigest()}"

    async def versions(self, names: Sequence[str]) -> list[str | None] | None:
        """The tokens of the version keys ``names`` (None: unset); None when the backend
        cannot be reached (the read is then made without the cache)."""
        try:
            versions: list[str | None] = await self._backend.multi_get(names)
        except Exception as exc:
            logger.warning("response cache unavailable, reading from the ERP: %r", exc)
            not_cacheable()
            return None
        return versions

    async def get(self, key: str, ttl: float, answer: type[Any]) -> Any | None:
        """The answer stored under ``key`` if younger than ``ttl`` seconds, else None."""
        try:
            stored = await self._backend.get(key)
        except Exception as exc:
            logger.warning("response cache unavailable, reading from the ERP: %r", exc)
            return None
        if stored is None:
            return None
        if self._encoded:
            asked_at, _, body = stored.partition("\n")
            if self._clock() - float(asked_at) > ttl:
                return None
            _expires(float(asked_at) + ttl)
            return _type_adapter(answer).validate_json(body)
        asked, value = stored
        if self._clock() - asked > ttl:
            return None
        _expires(asked + ttl)
        return value

    async def put(
        self, key: str, value: Any, ttl: float, asked_at: float, answer: type[Any]
    ) -> None:
        """Keep ``value`` (read from the ERP at ``asked_at``) under ``key`` for ``ttl`` seconds."""
        _expires(asked_at + ttl)
        stored: Any
        if self._encoded:
            body = _type_adapter(answer).dump_json(value).decode()
            stored = f"{asked_at!r}\n{body}"
        else:
            stored = (asked_at, value)
        try:
            # Not ``set``: aiocache 0.12 sets a TTL with SETEX, which redis-py 8 deprecates;
            # ``multi_set`` sends SET and EXPIRE in one transaction.
            await self._backend.multi_set([(key, stored)], ttl=math.ceil(ttl))
        except Exception as exc:
            logger.warning("response cache unavailable, answer not kept: %r", exc)

    # -- invalidation --------------------------------------------------------------------------

    async def invalidate(
        self, connection: str, kind: RecordKind, records: Collection[str] | None = None
    ) -> None:
        """Drop cached reads of ``kind`` on ``connection``: every one when ``records`` is
        None; else those naming one of ``records`` (native ids; SKUs for stock) and those
        naming no record (lists, which may hold them or now match them)."""
        space = self._space(connection, kind)
        if records is None:
            names = [f"{space}v:all"]
        else:
            names = [f"{space}v:lists", *(f"{space}v:r:{record}" for record in set(records))]
        token = secrets.token_hex(8)
        try:
            await self._backend.multi_set([(name, token) for name in names], ttl=self._version_ttl)
        except Exception as exc:
            logger.warning(
                "response cache unavailable: %s of %s not invalidated (bounded by its TTL): %r",
                kind.value,
                connection,
                exc,
            )

    async def aclose(self) -> None:
        client = getattr(self._backend, "client", None)
        if client is not None:
            # redis-py's own close: aiocache 0.12 calls the deprecated ``close()``.
            await client.aclose()

    def _space(self, connection: str, kind: RecordKind) -> str:
        return f"{self._prefix}:{connection}:{kind.value}:"


def _expires(at: float) -> None:
    trace = current_trace()
    if trace is not None:
        trace.expires(at)


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _type_adapter(answer: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(answer)
    if adapter is None:
        adapter = _ADAPTERS[answer] = TypeAdapter(answer)
    return adapter
