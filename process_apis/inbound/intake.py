"""Taking in an inbound event: validate the envelope, resolve its connection, store it.

The sender is answered as soon as the event is stored; the work happens afterwards in the
processor. Nothing is stored for an envelope that does not validate.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from pydantic import BaseModel

from process_apis.errors import InvalidInput, RecordNotFound
from process_apis.inbound.group_commit import GroupCommit
from process_apis.inbound.model import InboundEvent, InboundSource, Receipt
from process_apis.inbound.port import InboundStore, NewInbound
from process_apis.inbound.registry import InboundTypes

MAX_WEBHOOK_ID = 255


class InboundIntake:
    """Validates and stores what sources push; ``on_stored`` wakes the processor."""

    def __init__(
        self,
        store: InboundStore,
        types: InboundTypes,
        sources: Mapping[str, InboundSource],
        connections: Collection[str],
        *,
        on_stored: Callable[[], None] | None = None,
    ):
        # Events received while one is being stored are stored together, in one commit, in
        # the order they arrived (so the events of one record keep their order). A sender
        # that hangs up does not withdraw its event: it is stored, and a redelivery finds it.
        self._receipts: GroupCommit[NewInbound, tuple[InboundEvent, bool]] = GroupCommit(
            store.add_all
        )
        self._types = types
        self._sources = dict(sources)
        self._connections = frozenset(connections)
        self._on_stored = on_stored

    def source(self, name: str) -> InboundSource:
        """The configured source; RecordNotFound when there is none of that name."""
        try:
            return self._sources[name]
        except KeyError:
            raise RecordNotFound("inbound source", name, field="source") from None

    async def receive(self, source_name: str, webhook_id: str, envelope: object) -> Receipt:
        """Store an event ``{"type": ..., "data": {...}}`` the source sent under ``webhook_id``.

        A webhook id seen before from the source is a redelivery: nothing new is stored,
        whatever the body holds, and the receipt says so.
        """
        source = self.source(source_name)
        if not webhook_id or len(webhook_id) > MAX_WEBHOOK_ID:
            raise InvalidInput(
                f"webhook-id: must have 1 to {MAX_WEBHOOK_ID} characters", field="webhook-id"
            )
        type_name, parsed = self.validate(source, envelope)
        handler = self._types.handler(type_name)
        connection = self._connection(source, handler.connection_of(parsed))
        stored, created = await self._receipts.submit(
            NewInbound(
                source=source.name,
                webhook_id=webhook_id,
                type=type_name,
                connection=connection,
                ordering_key=handler.ordering_key(connection, parsed)[:255],
                data=parsed.model_dump(mode="json", exclude_none=True),
            )
        )
        if created and self._on_stored is not None:
            self._on_stored()
        return Receipt(id=stored.id, duplicate=not created)

    def validate(self, source: InboundSource, envelope: object) -> tuple[str, BaseModel]:
        """The event type and its validated data; InvalidInput on anything wrong."""
        if not isinstance(envelope, Mapping):
            raise InvalidInput('body: must be a JSON object {"type": ..., "data": {...}}')
        unknown = sorted(set(map(str, envelope)) - {"type", "data"})
        if unknown:
            raise InvalidInput(f"body: unknown field(s) {', '.join(unknown)}; expected type, data")
        type_name = envelope.get("type")
        if not isinstance(type_name, str) or not type_name:
            raise InvalidInput("type: required, a string naming the event type", field="type")
        if "data" not in envelope:
            raise InvalidInput("data: required, a JSON object", field="data")
        return type_name, self._types.parse(source, type_name, envelope["data"])

    def _connection(self, source: InboundSource, named: str | None) -> str:
        if named is not None and source.connection is not None and named != source.connection:
            raise InvalidInput(
                f"data.connection: source {source.name} sends events of connection "
                f"{source.connection} only, not {named}",
                field="data.connection",
            )
        connection = named or source.connection
        if connection is None:
            raise InvalidInput(
                f"data.connection: required, source {source.name} is not bound to a connection",
                field="data.connection",
            )
        if connection not in self._connections:
            raise InvalidInput(
                f"data.connection: unknown connection {connection!r}", field="data.connection"
            )
        return connection
