"""Who replays which quarantined records: one replayer per kind, looked up in a table.

The composition root registers a replayer for each kind of request a flow puts into
quarantine (``place_order`` by the order flow, ``inbound_event`` by the inbound processor),
so the review runs any kind without importing a flow.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from process_apis.errors import InvalidInput, InvalidState
from process_apis.quarantine.port import QuarantinedRecord
from system_apis.contracts.models import SalesOrder


@dataclass(frozen=True)
class Replayed:
    """What a replay created or processed: ``result`` names it (the order id, the inbound
    event id); ``order`` is the order a replay placed, for kinds that place one."""

    result: str
    order: SalesOrder | None = None


class Replayer(Protocol):
    """Runs the quarantined records of one kind again, the way their flow ran them first.

    The review calls ``check`` before it counts an attempt and leases the record, then
    ``replay`` while it holds the lease; a FlowError from ``replay`` keeps the record open
    with that error.
    """

    def corrected(self, record: QuarantinedRecord, payload: object) -> Mapping[str, Any]:
        """An operator's correction of ``record``'s payload, validated as the original request
        was, in the form to keep. InvalidInput says what is wrong, also when it changes what
        keeps the request from running twice (its idempotency key, its connection)."""
        ...

    def check(self, record: QuarantinedRecord) -> None:
        """Raise InvalidInput when the stored payload cannot be replayed as it is."""
        ...

    async def replay(self, record: QuarantinedRecord) -> Replayed:
        """Run the (leased) record again from its payload; raises FlowErrors."""
        ...

    async def release_key(self, record: QuarantinedRecord) -> None:
        """Free the idempotency key of a discarded record, so a client may resend it with
        the same key; nothing for kinds whose key no client sends."""
        ...


class Replayers:
    """The table of replayers by record kind, in the order they were registered."""

    def __init__(self, replayers: Mapping[str, Replayer] | None = None) -> None:
        self._replayers: dict[str, Replayer] = {}
        for kind, replayer in (replayers or {}).items():
            self.register(kind, replayer)

    def register(self, kind: str, replayer: Replayer) -> None:
        """Let records of ``kind`` be replayed by ``replayer``; a kind is registered once."""
        if not kind:
            raise ValueError("a replayer needs a kind")
        if kind in self._replayers:
            raise ValueError(f"two replayers for quarantine kind {kind!r}")
        self._replayers[kind] = replayer

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds this gateway can replay."""
        return tuple(self._replayers)

    def __contains__(self, kind: object) -> bool:
        return kind in self._replayers

    def __iter__(self) -> Iterator[str]:
        return iter(self._replayers)

    def check_kind(self, kind: str, *, field: str = "kind") -> None:
        """InvalidInput naming the known kinds when ``kind`` is not one of them."""
        if kind not in self._replayers:
            raise InvalidInput(f"unknown kind {kind!r}; known: {self._known()}", field=field)

    def of(self, record: QuarantinedRecord) -> Replayer:
        """The replayer of ``record``'s kind; InvalidState when this gateway has none."""
        try:
            return self._replayers[record.kind]
        except KeyError:
            raise InvalidState(
                f"records of kind {record.kind!r} cannot be replayed by this gateway; "
                f"known: {self._known()}"
            ) from None

    def _known(self) -> str:
        return ", ".join(self._replayers) or "none"
