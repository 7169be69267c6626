"""The composition root: the one place that knows concrete classes.

It reads :class:`Settings` and builds, in order, the state database (migrated), one ERP
adapter per connection by its kind's connector (:mod:`system_apis.registry`; a connection
that names no system to reach, SAP's without ``base_url``, is served by an embedded
emulator), each guarded by the connection's resilience policy and, where its cache policy
is on, answered from the response cache (in memory or Redis), the stores on the
state database (idempotency keys, quarantine), the event bus (in-process or RabbitMQ) with
the outbox relay that feeds it (its first sink drops the cached reads of each event's
record), outbound webhooks (the relay enqueues deliveries, a worker on every replica sends
them), and the flows with the quarantine review.
Everything it opens is closed by :meth:`Gateway.aclose`; nothing runs at import time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from experience_api.cache_settings import CacheSettings
from experience_api.connection_settings import ConnectionSettings
from experience_api.embedded import embedded_endpoint
from experience_api.gateway import Gateway
from experience_api.result_cache import ResultCache
from experience_api.security.audit_key import load_audit_key
from experience_api.services import PagingLimits, Services
from experience_api.settings import EventSettings, Settings
from experience_api.webhooks.config import WebhookSettings
from experience_api.webhooks.sender import HttpxWebhookSender
from process_apis.agent_writes.review import AgentWriteReview
from process_apis.agent_writes.sql_store import SqlWriteRequestStore
from process_apis.audit.sql_store import SqlAuditLog
from process_apis.catalog import Catalog
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.connections import Connections
from process_apis.events.lease import DbLease
from process_apis.events.memory_bus import InProcessBus
from process_apis.events.port import EventSink
from process_apis.events.rabbitmq import RabbitMqBus
from process_apis.events.relay import RELAY_LEASE, OutboxRelay
from process_apis.events.sql_outbox import SqlOutbox
from process_apis.events.sql_reader import SqlOutboxReader
from process_apis.idempotency.sql_store import SqlIdempotencyStore
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, SourceKind
from process_apis.inbound.processor import INBOUND_EVENT, InboundProcessor, RetryPolicy
from process_apis.inbound.registry import InboundTypes
from process_apis.inbound.replay import InboundReplayer
from process_apis.inbound.sql_store import SqlInboundStore
from process_apis.inventory_sync.flow import InventorySync
from process_apis.invoice_status.flow import InvoiceStatusSync
from process_apis.metrics.exposition import Exposition
from process_apis.metrics.gateway import GatewayMetrics
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.persistence.database import create_engine, migrate
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.retrier import PendingRetries
from process_apis.quarantine.review import QuarantineReview
from process_apis.quarantine.schedule import RetrySchedule
from process_apis.quarantine.sql_store import SqlQuarantineStore
from process_apis.read_cache import CacheInvalidation
from process_apis.recovery import InFlightRecovery
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.sql_store import SqlWebhookStore
from process_apis.webhooks.worker import DeliveryWorker
from system_apis.caching.adapter import CachingAdapter
from system_apis.caching.store import ResponseCache
from system_apis.contracts.connector import Endpoint, ReadsEmployeesElsewhere
from system_apis.contracts.port import ErpAdapter
from system_apis.registry import installed_connectors
from system_apis.resilience.adapter import ResilientAdapter


async def build_gateway(settings: Settings) -> Gateway:
    """Open and wire everything the settings describe."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.state_url, sqlite_synchronous=settings.sqlite_synchronous)
    cache = _response_cache(settings.cache, settings.connections)
    metrics = GatewayMetrics()
    try:
        await migrate(engine)
        sandboxes: dict[str, Any] = {}
        adapters: dict[str, ErpAdapter] = {}
        guarded: dict[str, ResilientAdapter] = {}
        connectors = installed_connectors()
        by_name = {conn.name: conn for conn in settings.connections}
        for conn in settings.connections:
            if connectors.get(conn.kind).paired:
                continue  # built for each connection it serves, under that one's name
            endpoint = embedded_endpoint(conn, settings, sandboxes) if conn.erp.embedded else None
            adapter = connectors.get(conn.kind).build(conn.name, conn.erp, endpoint)
            if conn.erp.employees_from is not None:
                _pair_employees(
                    adapter, conn, by_name[conn.erp.employees_from], settings, sandboxes
                )
            wrapper = guarded[conn.name] = ResilientAdapter(
                adapter, conn.resilience, observer=metrics
            )
            adapters[conn.name] = (
                CachingAdapter(wrapper, cache, conn.cache) if conn.cache.enabled else wrapper
            )
        connections = Connections(adapters)
    except BaseException:
        await cache.aclose()
        await engine.dispose()
        raise
    quarantine = SqlQuarantineStore(engine)
    bus = _event_bus(settings.events)
    event_sinks: list[EventSink] = [CacheInvalidation(cache), bus]
    relay = _outbox_relay(engine, event_sinks, settings.events, metrics)
    retries = RetrySchedule(
        base=settings.pending_retry_base_seconds,
        cap=max(settings.pending_retry_cap_seconds, settings.pending_retry_base_seconds),
        deadline=dt.timedelta(hours=settings.pending_deadline_hours),
    )
    orders = OrderToInvoice(
        connections,
        SqlIdempotencyStore(engine, on_events=relay.nudge),
        quarantine,
        key_retention=dt.timedelta(hours=settings.idempotency_retention_hours),
        in_flight_timeout=dt.timedelta(seconds=settings.in_flight_timeout_seconds),
        outbox=SqlOutbox(engine, notify=relay.nudge),
        retries=retries if settings.pending_retries else None,
        observer=metrics,
    )
    intake, inbound = _inbound_events(
        settings, engine, connections, quarantine, relay.nudge, cache, metrics
    )
    # Each flow that puts requests into quarantine replays them.
    replayers = Replayers(
        {PLACE_ORDER: OrderReplayer(orders), INBOUND_EVENT: InboundReplayer(inbound)}
    )
    webhook_store = SqlWebhookStore(engine)
    services = Services(
        result_cache=(
            ResultCache(cache, prefix=settings.cache.prefix)
            if settings.cache.results and all(c.cache.enabled for c in settings.connections)
            else None
        ),
        connections=connections,
        catalog=Catalog(connections),
        orders=orders,
        quarantine=QuarantineReview(quarantine, replayers, on_intervention=metrics.intervention),
        paging=PagingLimits(
            default_page_size=settings.default_page_size, max_page_size=settings.max_page_size
        ),
        audit=SqlAuditLog(
            engine, load_audit_key(settings.audit_key, settings.audit_key_file, settings.data_dir)
        ),
        events=bus,
        inbound=intake,
        webhooks=WebhookAdmin(
            webhook_store,
            connections.names,
            rotation_grace=dt.timedelta(hours=settings.webhooks.secret_rotation_grace_hours),
            allow_private_targets=settings.webhooks.private_targets_allowed(settings.mode),
        ),
        agent_writes=(
            AgentWriteReview(
                SqlWriteRequestStore(engine), dt.timedelta(hours=settings.mcp.approval_ttl_hours)
            )
            if settings.mcp.writes == "approval"
            else None
        ),
        metrics=metrics,
    )
    gateway = Gateway(
        services=services,
        engine=engine,
        sandboxes=sandboxes,
        event_sinks=event_sinks,
        relay=relay,
        exposition=Exposition(metrics, engine, guarded, replayers.kinds),
    )
    if isinstance(bus, RabbitMqBus):
        gateway.background["event-bus"] = bus.run
    gateway.background["outbox-relay"] = relay.run
    gateway.closers.append(bus.aclose)
    gateway.closers.append(cache.aclose)
    gateway.background["inbound-events"] = lambda: inbound.run_periodically(
        settings.inbound.poll_interval_seconds
    )
    if settings.webhooks.enabled:
        _outbound_webhooks(gateway, webhook_store, settings.webhooks, settings.mode, metrics)
    if settings.pending_retries:
        # A retry whose process died is taken over after the in-flight timeout, as a claim.
        pending = PendingRetries(
            quarantine,
            replayers,
            retries,
            lease=dt.timedelta(seconds=settings.in_flight_timeout_seconds),
        )
        gateway.background["pending-retries"] = lambda: pending.run_periodically(
            settings.pending_retry_interval_seconds
        )
    recovery = InFlightRecovery(orders)
    gateway.background["in-flight-recovery"] = lambda: recovery.run_periodically(
        settings.recovery_interval_seconds
    )
    _change_capture(gateway, settings, connections, engine, relay.nudge, cache)
    return gateway


def _response_cache(config: CacheSettings, connections: list[ConnectionSettings]) -> ResponseCache:
    """The response cache the connections share; versions outlive the longest TTL."""
    version_ttl = max(conn.cache.longest_ttl for conn in connections) + 1
    if config.backend == "redis":
        assert config.redis_url is not None
        return ResponseCache.redis(
            config.redis_url.get_secret_value(),
            prefix=config.prefix,
            timeout=config.timeout_seconds,
            version_ttl=version_ttl,
        )
    return ResponseCache.in_memory(prefix=config.prefix, version_ttl=version_ttl)


def _change_capture(
    gateway: Gateway,
    settings: Settings,
    connections: Connections,
    engine: AsyncEngine,
    on_staged: Callable[[], None],
    cache: ResponseCache,
) -> None:
    """One change-capture poller loop per connection whose policy is enabled."""
    watermarks = SqlWatermarkStore(engine)
    for conn in settings.connections:
        policy = conn.capture_policy
        if policy.enabled and conn.name in connections.names:
            poller = ChangeCapturePoller(
                conn.name,
                connections.get(conn.name),
                watermarks,
                policy,
                on_staged=on_staged,
                cache=cache,
            )
            gateway.background[f"change-capture-{conn.name}"] = poller.run_periodically


def _outbound_webhooks(
    gateway: Gateway,
    store: SqlWebhookStore,
    config: WebhookSettings,
    mode: str,
    metrics: GatewayMetrics,
) -> None:
    """The relay enqueues deliveries (after the bus); every replica runs a delivery worker."""
    sender = HttpxWebhookSender(
        timeout=config.timeout_seconds,
        max_body=config.response_body_chars,
        allow_private=config.private_targets_allowed(mode),
    )
    worker = DeliveryWorker(
        store,
        sender,
        config.retry_policy(),
        concurrency=config.concurrency,
        lease_seconds=config.lease_seconds,
        poll_interval=config.poll_interval_seconds,
        retention=config.retention,
        on_attempt=metrics.webhook_attempt,
    )
    gateway.event_sinks.append(WebhookEnqueuer(store, on_enqueued=worker.wake))
    gateway.background["webhook-deliveries"] = worker.run
    gateway.closers.append(sender.aclose)


def _event_bus(settings: EventSettings) -> InProcessBus | RabbitMqBus:
    if settings.broker == "rabbitmq":
        assert settings.rabbitmq_url is not None
        return RabbitMqBus(
            settings.rabbitmq_url.get_secret_value(),
            exchange=settings.exchange,
            max_pending=settings.subscriber_queue,
        )
    return InProcessBus(max_pending=settings.subscriber_queue)


def _outbox_relay(
    engine: AsyncEngine, sinks: list[EventSink], settings: EventSettings, metrics: GatewayMetrics
) -> OutboxRelay:
    lease = DbLease(engine, RELAY_LEASE, ttl=dt.timedelta(seconds=settings.relay_lease_seconds))
    return OutboxRelay(
        SqlOutboxReader(engine),
        sinks,
        lease,
        batch_size=settings.relay_batch_size,
        poll_interval=settings.relay_poll_interval_seconds,
        idle_poll_interval=settings.relay_idle_poll_interval_seconds,
        retention=dt.timedelta(hours=settings.retention_hours),
        on_published=metrics.events_published,
    )


def _inbound_events(
    settings: Settings,
    engine: AsyncEngine,
    connections: Connections,
    quarantine: SqlQuarantineStore,
    on_staged: Callable[[], None],
    cache: ResponseCache,
    metrics: GatewayMetrics,
) -> tuple[InboundIntake, InboundProcessor]:
    """The intake behind ``POST /webhooks/inbound/{source}`` and the processor loop."""
    config = settings.inbound
    store = SqlInboundStore(engine)
    types = InboundTypes([InventorySync(connections), InvoiceStatusSync(connections)])
    processor = InboundProcessor(
        store,
        types,
        quarantine,
        policy=RetryPolicy(
            max_attempts=config.max_attempts,
            base_delay=dt.timedelta(seconds=config.retry_base_seconds),
            max_delay=dt.timedelta(seconds=config.retry_max_seconds),
            lease=dt.timedelta(seconds=config.lease_seconds),
        ),
        batch_size=config.batch_size,
        concurrency=config.concurrency,
        on_staged=on_staged,
        cache=cache,
        observer=metrics,
    )
    sources = {
        s.name: InboundSource(s.name, SourceKind(s.kind), s.connection) for s in config.sources
    }
    intake = InboundIntake(store, types, sources, connections.names, on_stored=processor.notify)
    return intake, processor


def _pair_employees(
    adapter: ErpAdapter,
    conn: ConnectionSettings,
    source: ConnectionSettings,
    settings: Settings,
    sandboxes: dict[str, Any],
) -> None:
    """Let ``conn``'s adapter read its employees from the connection ``source`` (a paired
    kind, checked by the settings): an adapter of ``source`` built under ``conn``'s name, so
    the employees keep ``conn``'s ids. An embedded ``source`` paired with an embedded S/4
    connection is that connection's emulator's SuccessFactors API, else an emulator of its own."""
    if not isinstance(adapter, ReadsEmployeesElsewhere):
        raise ValueError(f"connection {conn.name} ({conn.kind}): reads no employees_from")
    endpoint = None
    if source.erp.embedded:
        emulator = sandboxes.get(conn.name, sandboxes.get(source.name))
        if emulator is None:
            endpoint = embedded_endpoint(source, settings, sandboxes)
        else:
            endpoint = Endpoint(
                base_url=f"http://{source.kind}-sandbox.embedded",
                transport=httpx.ASGITransport(app=emulator),
                username=settings.sandbox_username,
                password=settings.sandbox_password.get_secret_value(),
            )
    connector = installed_connectors().get(source.kind)
    adapter.read_employees_from(connector.build(conn.name, source.erp, endpoint))
