"""The response cache of ERP reads: :class:`CachingAdapter` in front of a connection's
adapter, its entries and per-record versions in a :class:`ResponseCache` (aiocache: in
memory, or Redis shared by the replicas). See ``docs/cache.md``."""

from system_apis.caching.adapter import CachingAdapter
from system_apis.caching.policy import CachePolicy, RecordKind
from system_apis.caching.store import ResponseCache

__all__ = ["CachePolicy", "CachingAdapter", "RecordKind", "ResponseCache"]
