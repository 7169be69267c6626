"""``CacheSettings``: where the response cache of ERP reads lives (``[cache]``).

Whether and how long each connection's reads are cached is the connection's own
``[connections.cache]`` (:class:`system_apis.caching.CachePolicy`).
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class CacheSettings(BaseModel):
    """``memory``: each replica caches for itself, and only its own writes and the events
    it relays invalidate; ``redis``: the replicas share the cache and its invalidations
    (several replicas should use it)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["memory", "redis"] = "memory"
    redis_url: SecretStr | None = Field(
        default=None, description="redis://[:password@]host:6379/0; required for redis"
    )
    prefix: str = Field(
        default="erp-gateway",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="keys start with it: gateways of other ERPs sharing a Redis use another",
    )
    timeout_seconds: float = Field(
        default=0.5, gt=0, le=10, description="a Redis operation slower than this is a miss"
    )
    results: bool = Field(
        default=True,
        description="also keep whole GraphQL query results built from cached reads (only "
        "when every connection's reads are cached)",
    )

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.backend == "redis" and self.redis_url is None:
            raise ValueError("cache.redis_url is required when cache.backend is redis")
        return self
