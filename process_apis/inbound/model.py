"""What the inbound path knows: sources, stored events, and the handlers of event types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel

from process_apis.events.model import Event


class SourceKind(StrEnum):
    """The kind of system a source is; it decides which event types the source may send."""

    WMS = "wms"
    ERP = "erp"
    CRM = "crm"


@dataclass(frozen=True)
class InboundSource:
    """A system allowed to push events. ``connection`` is the ERP connection its events
    concern; an ERP source without one names the connection in each event's data."""

    name: str
    kind: SourceKind
    connection: str | None = None


class InboundStatus(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class InboundEvent:
    """A stored inbound event: ``data`` is its validated data object as JSON values."""

    id: str
    source: str
    webhook_id: str
    type: str
    connection: str
    data: Mapping[str, Any]
    ordering_key: str
    status: InboundStatus
    attempts: int
    received_at: dt.datetime
    next_attempt_at: dt.datetime
    lease_until: dt.datetime | None = None
    lease_token: str | None = None
    last_error: str | None = None
    quarantine_id: str | None = None
    processed_at: dt.datetime | None = None


@dataclass(frozen=True)
class Receipt:
    """The answer to a delivery: the stored event's id, and whether it was seen before."""

    id: str
    duplicate: bool


class InboundHandler(Protocol):
    """The flow behind one or more event types.

    ``data_models`` maps each type the handler takes to the pydantic model of its ``data``
    object; ``kinds`` are the source kinds that may send them. ``handle`` does the work in
    the ERP and returns the business events to stage; it must be safe to run again for
    the same event (a retry after a crash), and raises the ERP's errors unchanged.
    """

    @property
    def data_models(self) -> Mapping[str, type[BaseModel]]: ...

    @property
    def kinds(self) -> frozenset[SourceKind]: ...

    def connection_of(self, data: BaseModel) -> str | None:
        """The connection the data names itself, if its schema allows one."""
        ...

    def ordering_key(self, connection: str, data: BaseModel) -> str:
        """The record the event changes (``stock:EU01:TG11@1010/0001``): events with the
        same key are processed one after the other, in the order they were received."""
        ...

    async def handle(self, event: InboundEvent, data: BaseModel) -> Sequence[Event]: ...
