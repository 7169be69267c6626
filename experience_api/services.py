"""What the experience layer calls: the flows, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from experience_api.result_cache import ResultCache
from process_apis.agent_writes.review import AgentWriteReview
from process_apis.audit.port import AuditLog
from process_apis.catalog import Catalog
from process_apis.connections import Connections
from process_apis.events.port import EventSubscriptions
from process_apis.inbound.intake import InboundIntake
from process_apis.metrics.gateway import GatewayMetrics
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.quarantine.review import QuarantineReview
from process_apis.webhooks.admin import WebhookAdmin


@dataclass(frozen=True)
class PagingLimits:
    default_page_size: int = 20
    max_page_size: int = 100


@dataclass(frozen=True)
class Services:
    """The process APIs the GraphQL schema resolves against."""

    connections: Connections
    catalog: Catalog
    orders: OrderToInvoice
    quarantine: QuarantineReview
    paging: PagingLimits = PagingLimits()
    # The tamper-evident log of mutations and sensitive reads; None only where nothing
    # is audited (unit tests of the schema).
    audit: AuditLog | None = None
    # Live business events for GraphQL subscriptions; None only in unit tests of the schema
    # that subscribe to nothing.
    events: EventSubscriptions | None = None
    # Validates and stores inbound webhooks; None where no inbound path is wired.
    inbound: InboundIntake | None = None
    # Outbound webhook subscriptions and their delivery log; None where none are wired.
    webhooks: WebhookAdmin | None = None
    # Agents' writes awaiting a person's approval; None unless [mcp] writes is approval.
    agent_writes: AgentWriteReview | None = None
    # Whole GraphQL query results built from cached reads; None where they are not kept.
    result_cache: ResultCache | None = None
    # Counts GraphQL operations and MCP tool calls; None where nothing is measured.
    metrics: GatewayMetrics | None = None
