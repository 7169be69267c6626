"""``ResilientAdapter``: any ErpAdapter behind timeouts, retries, a circuit breaker and a quota.

One wrapper per connection; the composition root wraps each adapter it builds. Each attempt
(retries included) goes through, in order:

1. the circuit breaker's admission: refused at once, without waiting, while it is open;
2. the connection's concurrency slots and request rate (waiting here is local, so it is not
   part of the call's timeout: a write that never left the queue did not happen);
3. the breaker's confirmation: a call that waited while the breaker opened is refused;
4. the inner call under ``asyncio.timeout``: a read that times out is :class:`Unavailable`, a
   write :class:`UnknownOutcome` (it may have reached the ERP).

The breaker counts failures of the ERP: unreachable, 5xx, timeouts. A :class:`Throttled` (429)
is an answer from an ERP that is up and asks for a slower pace: it is waited out (its
``Retry-After`` honoured) and counted neither way.

Retries (rules in :mod:`system_apis.resilience.retrying`) stop as soon as the breaker is open:
the caller gets the failure that opened it rather than waiting for a certain refusal.

After an :class:`UnknownOutcome` from ``create_sales_order`` the wrapper does *not* look the
order up by its external reference: the order-to-invoice flow does, because it also decides
what happens to the idempotency key; doing it here too would double the lookups.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel
from tenacity import RetryCallState

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import ErpError, Throttled, Unavailable, UnknownOutcome
from system_apis.contracts.models import (
    Customer,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.contracts.wrapping import AdapterWrapper
from system_apis.resilience.breaker import BreakerState, CircuitBreaker, CircuitOpen
from system_apis.resilience.counters import ResilienceCounters
from system_apis.resilience.observer import CallObserver, timed_call
from system_apis.resilience.policy import ListMethod, ResiliencePolicy
from system_apis.resilience.quota import Quota
from system_apis.resilience.retrying import Sleep, retry_after, retrying
from system_apis.resilience.stale import LastGoodPages
from system_apis.tracing import erp_call

T = TypeVar("T")


class ResilientAdapter(AdapterWrapper):
    """An :class:`ErpAdapter` that guards ``inner`` with ``policy`` (see the module doc).

    ``clock`` (monotonic seconds) drives the breaker and the stale cache, ``sleep`` the waits
    between retries; tests pass fakes. The call timeout and the rate limiter run on the event
    loop's own clock. ``observer`` is told of every finished port call (for metrics).
    """

    def __init__(
        self,
        inner: ErpAdapter,
        policy: ResiliencePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        observer: CallObserver | None = None,
    ) -> None:
        super().__init__(inner)
        self._observer = observer
        self._policy = policy
        self._sleep = sleep
        self._connection = inner.source.connection
        self._counters = ResilienceCounters()
        self._breaker = CircuitBreaker(
            self._connection,
            window=policy.breaker_window,
            min_calls=policy.breaker_min_calls,
            failure_ratio=policy.breaker_failure_ratio,
            open_seconds=policy.breaker_open_seconds,
            probes=policy.breaker_half_open_probes,
            busy_retry_after=policy.timeout,
            clock=clock,
        )
        self._quota = Quota(policy)
        self._pages = LastGoodPages(
            size=policy.stale_cache_size, max_age=policy.stale_max_age, clock=clock
        )

    # -- what the wrapper exposes beyond the port -------------------------------------------

    @property
    def policy(self) -> ResiliencePolicy:
        return self._policy

    @property
    def state(self) -> BreakerState:
        """The circuit breaker's state."""
        return self._breaker.state

    @property
    def counters(self) -> ResilienceCounters:
        """A snapshot of the counters."""
        return replace(self._counters)

    # -- the port (source, capabilities, limits, aclose: AdapterWrapper's) ----------------------

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        if filter.details:
            # Credit limits stay out of the cache: the page is kept (and served while the ERP
            # is down) without them, under the same filter without details.
            return await self._list(
                "list_customers",
                filter.model_copy(update={"details": frozenset()}),
                page,
                lambda: self._inner.list_customers(filter, page),
                keep=_without_customer_details,
            )
        return await self._list(
            "list_customers", filter, page, lambda: self._inner.list_customers(filter, page)
        )

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        return await self._list(
            "list_products", filter, page, lambda: self._inner.list_products(filter, page)
        )

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        return await self._list(
            "list_inventory", filter, page, lambda: self._inner.list_inventory(filter, page)
        )

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        return await self._list(
            "list_sales_orders", filter, page, lambda: self._inner.list_sales_orders(filter, page)
        )

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        return await self._call(
            "get_sales_order", lambda: self._inner.get_sales_order(native_id), write=False
        )

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        return await self._call(
            "create_sales_order", lambda: self._inner.create_sales_order(draft), write=True
        )

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        return await self._call(
            "cancel_order", lambda: self._inner.cancel_order(native_id, reason), write=True
        )

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        return await self._list(
            "list_deliveries", filter, page, lambda: self._inner.list_deliveries(filter, page)
        )

    async def create_delivery(self, order_native_id: str) -> Delivery:
        return await self._call(
            "create_delivery", lambda: self._inner.create_delivery(order_native_id), write=True
        )

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        return await self._call(
            "post_goods_issue",
            lambda: self._inner.post_goods_issue(delivery_native_id),
            write=True,
        )

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        return await self._list(
            "list_invoices", filter, page, lambda: self._inner.list_invoices(filter, page)
        )

    async def create_invoice(self, order_native_id: str) -> Invoice:
        return await self._call(
            "create_invoice", lambda: self._inner.create_invoice(order_native_id), write=True
        )

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        return await self._call(
            "adjust_stock", lambda: self._inner.adjust_stock(adjustment), write=True
        )

    # Employees are never kept for degraded reads: pay and bank data stay out of any cache.
    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        return await self._call(
            "list_employees", lambda: self._inner.list_employees(filter, page), write=False
        )

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        return await self._call(
            "get_employee", lambda: self._inner.get_employee(native_id, details), write=False
        )

    # Whole record sets: each chunk is one guarded attempt (see _stream), never cached.
    def stream_customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        return self._stream("stream_customers", self._inner.stream_customers(filter))

    def stream_products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]:
        return self._stream("stream_products", self._inner.stream_products(filter))

    def stream_inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        return self._stream("stream_inventory", self._inner.stream_inventory(filter))

    def stream_sales_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        return self._stream("stream_sales_orders", self._inner.stream_sales_orders(filter))

    def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        return self._stream("stream_invoices", self._inner.stream_invoices(filter))

    # -- the machinery -------------------------------------------------------------------------

    async def _list(
        self,
        method: ListMethod,
        filter: BaseModel,
        page: PageRequest,
        call: Callable[[], Awaitable[Page[T]]],
        keep: Callable[[Page[T]], Page[T]] | None = None,
    ) -> Page[T]:
        """A list read; with degraded reads on for ``method``, kept and served when open.

        The call that opens the breaker is answered from the cache too (from then on the
        connection counts as down), and so are calls refused while half-open probes run.
        ``keep`` makes the copy that is kept (without sensitive details).
        """
        if method not in self._policy.stale_reads:
            return await self._call(method, call, write=False)
        try:
            result = await self._call(method, call, write=False)
        except Unavailable as exc:
            refused = isinstance(exc, CircuitOpen)
            if not refused and self._breaker.state is not BreakerState.OPEN:
                raise
            cached = self._pages.lookup(method, filter, page)
            if cached is None:
                raise
            self._counters.stale_reads += 1
            stale: Page[T] = cached
            return stale
        self._pages.store(method, filter, page, result if keep is None else keep(result))
        return result

    async def _stream(
        self, method: str, chunks: AsyncIterator[Sequence[T]]
    ) -> AsyncIterator[Sequence[T]]:
        """Each chunk of ``chunks`` as one attempt: breaker admission, a quota slot, the timeout.

        A failed chunk ends the stream with its error and is not retried: the inner stream
        cannot resume after raising, and an export is rerun rather than resumed.
        """
        self._counters.calls += 1
        try:
            while True:
                try:
                    chunk = await self._attempt(method, lambda: anext(chunks), write=False)
                except StopAsyncIteration:
                    return
                yield chunk
        finally:
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()

    async def _call(self, method: str, call: Callable[[], Awaitable[T]], *, write: bool) -> T:
        """One port call, traced, timed and counted with its outcome for the observer."""
        with erp_call(self._connection, method, write=write):
            async with timed_call(self._counters, self._observer, self._connection, method):
                return await self._retried(method, call, write=write)

    async def _retried(self, method: str, call: Callable[[], Awaitable[T]], *, write: bool) -> T:
        """Attempts under the retry policy until one succeeds or may not retry."""
        async for attempt in retrying(
            self._policy,
            write=write,
            sleep=self._sleep,
            before_sleep=self._before_retry,
            give_up=lambda: self._breaker.state is BreakerState.OPEN,
        ):
            with attempt:
                return await self._attempt(method, call, write=write)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _attempt(self, method: str, call: Callable[[], Awaitable[T]], *, write: bool) -> T:
        permit = self._admitted(self._breaker.admit)
        try:
            queued = time.perf_counter()
            async with self._quota.slot():
                self._counters.quota_wait_seconds += time.perf_counter() - queued
                self._admitted(lambda: self._breaker.confirm(permit))
                self._counters.attempts += 1
                result = await self._timed(method, call, write=write)
        except CircuitOpen:
            self._breaker.release(permit)
            raise
        except Throttled:
            # The ERP answered and asked to slow down: it is up; the wait is the retry's.
            self._breaker.release(permit)
            raise
        except Unavailable:
            self._counters.failures += 1
            self._breaker.record(permit, failed=True)
            raise
        except ErpError:
            # A business error is an answer: the ERP is up.
            self._breaker.record(permit, failed=False)
            raise
        except BaseException:
            # Cancelled, or a bug in the inner adapter: says nothing about the ERP's health.
            self._breaker.release(permit)
            raise
        self._breaker.record(permit, failed=False)
        return result

    async def _timed(self, method: str, call: Callable[[], Awaitable[T]], *, write: bool) -> T:
        deadline = asyncio.timeout(self._policy.timeout)
        started = time.perf_counter()
        try:
            async with deadline:
                return await call()
        except TimeoutError as exc:
            if not deadline.expired():
                raise
            self._counters.timeouts += 1
            error = UnknownOutcome if write else Unavailable
            raise error(
                f"{method} on {self._connection} got no answer within {self._policy.timeout}s",
                connection=self._connection,
            ) from exc
        finally:
            self._counters.attempt_seconds += time.perf_counter() - started

    def _admitted(self, check: Callable[[], T]) -> T:
        try:
            return check()
        except CircuitOpen:
            self._counters.rejected_by_breaker += 1
            raise

    def _before_retry(self, state: RetryCallState) -> None:
        self._counters.retries += 1
        if retry_after(state.outcome.exception() if state.outcome else None) is not None:
            self._counters.throttled_waits += 1


def _without_customer_details(page: Page[Customer]) -> Page[Customer]:
    items = tuple(c.model_copy(update={"credit_limit": None}) for c in page.items)
    return page.model_copy(update={"items": items})
