"""The change-capture poller: for ERPs that cannot push, changes found by polling with a
persisted high-water mark, so no change is missed or repeated across restarts.

Per connection and stream (orders, invoices, inventory) a watermark is kept in the
watermark store (:mod:`.port`; on the state database, :mod:`.sql_store`). A poll lists the
records changed since the watermark (less an overlap, for changes stamped earlier than their
commit), oldest change first, page after page, derives the events of each record
(:mod:`.streams`) and stages those not staged yet; the events and the advanced watermark
commit together. So:

* a restart (a new poller on the same database) continues from the committed watermark:
  what was staged is not staged again, what was not is read again;
* a record that changes while a poll runs is seen by the next poll (its new change time is
  after the watermark), and an event already staged for the same change is not repeated:
  ids derive from the change, the ids near the watermark are kept with it, and the outbox
  skips ids it holds;
* an ERP that fails (unavailable, throttled...) leaves the watermark where it was; the next
  interval tries again;
* of several replicas polling one connection, one commits each advance; the others' polls
  are rolled back (compare-and-set on the watermark row) and read again later.

The first poll of a stream starts at ``start`` ("now", less the overlap: history is not
replayed as events).
Records read with a change newer than the committed watermark, or that announce an event not
staged yet, are dropped from the response cache (``cache``): a change made in the ERP is
served fresh once a poll saw it, even when it announces no event.

The poller uses only the ErpAdapter, WatermarkStore and ReadCache ports.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.port import Watermark, WatermarkConflict, WatermarkStore
from process_apis.change_capture.streams import STREAMS, Stream
from process_apis.events.model import Event
from process_apis.read_cache import ReadCache
from system_apis.caching.policy import RecordKind
from system_apis.contracts.errors import ErpError, NotSupported, Unavailable
from system_apis.contracts.models import InventoryLevel
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import PageRequest

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

CACHED_KIND = {
    Stream.ORDERS: RecordKind.SALES_ORDERS,
    Stream.INVOICES: RecordKind.INVOICES,
    Stream.INVENTORY: RecordKind.INVENTORY,
}
"""The response cache's kind of each stream's records (stock is cached per SKU)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class StreamReport:
    """One stream's poll: records read, events staged, the watermark after it, and why it
    stopped early (``error``: the ERP failed or another poller advanced first)."""

    stream: Stream
    read: int = 0
    staged: int = 0
    watermark: dt.datetime | None = None
    error: str | None = None


class ChangeCapturePoller:
    """Captures the changes of one connection's streams into the outbox.

    ``connection`` names the adapter's connection (its watermarks); ``watermarks`` stores
    them and stages the events with each advance; ``on_staged`` is called after a commit
    that staged events (the outbox relay's wake-up); ``cache`` drops the changed records'
    cached reads; ``clock`` answers "now".
    """

    def __init__(
        self,
        connection: str,
        adapter: ErpAdapter,
        watermarks: WatermarkStore,
        policy: ChangeCapturePolicy,
        *,
        on_staged: Callable[[], None] | None = None,
        cache: ReadCache | None = None,
        clock: Clock = _now,
    ) -> None:
        self._cache = cache
        self._connection = connection
        self._adapter = adapter
        self._watermarks = watermarks
        self._policy = policy
        self._clock = clock
        self._on_staged = on_staged
        capabilities = adapter.capabilities
        self.streams: tuple[Stream, ...] = tuple(
            s for s in policy.streams if STREAMS[s].capability in capabilities
        )
        for skipped in sorted(set(policy.streams) - set(self.streams)):
            logger.warning(
                "change capture of %s skips %s: the ERP cannot list them", connection, skipped
            )

    @property
    def connection(self) -> str:
        return self._connection

    async def poll_once(self) -> list[StreamReport]:
        """One poll of every stream; a failing stream does not stop the others."""
        return [await self.poll_stream(stream) for stream in self.streams]

    async def run_periodically(self, interval: float | None = None) -> None:
        """Polls every ``interval`` seconds (the policy's by default) until cancelled."""
        pause = self._policy.interval_seconds if interval is None else interval
        while True:
            try:
                await self.poll_once()
            except Exception:  # a state database hiccup must not end the loop
                logger.exception(
                    "change capture of %s failed",
                    self._connection,
                    extra={"connection": self._connection},
                )
            await asyncio.sleep(pause)

    async def poll_stream(self, stream: Stream) -> StreamReport:
        mark = await self._watermark(stream)
        try:
            events, read, advanced, changed = await self._read(stream, mark)
        except NotSupported as exc:
            logger.warning("change capture of %s/%s: %s", self._connection, stream, exc)
            return StreamReport(stream, watermark=mark.watermark, error=str(exc))
        except ErpError as exc:
            # The watermark stays: the next interval reads the same changes again.
            logger.warning(
                "change capture of %s/%s: ERP failed, retrying next interval: %s",
                self._connection,
                stream,
                exc,
            )
            return StreamReport(stream, watermark=mark.watermark, error=str(exc))
        if changed and self._cache is not None:
            await self._cache.invalidate(self._connection, CACHED_KIND[stream], changed)
        if not events and advanced.watermark == mark.watermark and advanced.seen == mark.seen:
            # Nothing new: no write, so idle polls of many replicas do not contend.
            return StreamReport(stream, read=read, watermark=mark.watermark)
        try:
            _, staged = await self._watermarks.save(advanced, self._clock(), events)
        except WatermarkConflict as exc:
            logger.info("change capture of %s/%s: %s", self._connection, stream, exc)
            return StreamReport(stream, read=read, watermark=mark.watermark, error=str(exc))
        if staged:
            if self._on_staged is not None:
                self._on_staged()
            logger.info(
                "change capture of %s/%s staged %d events up to %s",
                self._connection,
                stream,
                staged,
                advanced.watermark.isoformat(),
            )
        return StreamReport(stream, read=read, staged=staged, watermark=advanced.watermark)

    async def _watermark(self, stream: Stream) -> Watermark:
        mark = await self._watermarks.load(self._connection, stream.value)
        if mark is not None:
            return mark
        # Stored at once, so that changes made while the ERP is down on the first poll are
        # still captured later, from this origin. "now" reaches back by the overlap: a change
        # made just after the start may carry a stamp a little before it (a transaction's
        # start, a stamp kept to whole seconds).
        start = self._policy.start
        origin = self._clock() - self._policy.overlap if start == "now" else start
        assert isinstance(origin, dt.datetime)
        fresh = Watermark(self._connection, stream.value, watermark=origin, origin=origin)
        try:
            saved, _ = await self._watermarks.save(fresh, self._clock())
        except WatermarkConflict:
            mark = await self._watermarks.load(self._connection, stream.value)
            assert mark is not None
            return mark
        return saved

    async def _read(
        self, stream: Stream, mark: Watermark
    ) -> tuple[list[Event], int, Watermark, set[str]]:
        """The events of the changes since ``mark``, how many records were read, the
        watermark that follows them, and the records changed since (their cache keys)."""
        spec = STREAMS[stream]
        overlap = self._policy.overlap
        seen = dict(mark.seen)
        watermark = mark.watermark
        events: list[Event] = []
        changed_records: set[str] = set()
        read = 0
        since = max(watermark - overlap, mark.origin)
        offset = 0
        while True:
            page = await spec.read(
                self._adapter, since, PageRequest(offset=offset, limit=self._policy.page_size)
            )
            if page.stale_for is not None:
                # A degraded read answers an earlier page: nothing in it says what changed now.
                raise Unavailable(
                    f"the ERP answered {stream} from a copy {page.stale_for:.0f} s old"
                )
            read += len(page.items)
            for record in page.items:
                changed = record.changed_at
                if changed is None:
                    logger.warning(
                        "change capture of %s/%s: %s has no change time, skipped",
                        self._connection,
                        stream,
                        record.id,
                    )
                    continue
                if changed < mark.origin:
                    continue
                fresh = changed > mark.watermark
                for event in spec.events(record):
                    if event.id not in seen:
                        seen[event.id] = changed
                        events.append(event)
                        fresh = True
                if fresh:
                    changed_records.add(
                        record.sku if isinstance(record, InventoryLevel) else record.native_id
                    )
                watermark = max(watermark, changed)
            if not page.has_next or not page.items or len(events) >= self._policy.max_per_poll:
                break
            # Read on from the new watermark when it moved (a fresh listing cannot lose a
            # record to rows shifting between pages); when a page's records all share the
            # old one, page on instead.
            anchored = max(watermark - overlap, mark.origin)
            if anchored > since:
                since, offset = anchored, 0
            else:
                offset += len(page.items)
        horizon = watermark - overlap
        kept = {key: when for key, when in seen.items() if when >= horizon}
        return events, read, _advanced(mark, watermark, kept), changed_records


def _advanced(mark: Watermark, watermark: dt.datetime, seen: dict[str, dt.datetime]) -> Watermark:
    return Watermark(
        connection=mark.connection,
        stream=mark.stream,
        watermark=watermark,
        origin=mark.origin,
        seen=seen,
        version=mark.version,
    )
