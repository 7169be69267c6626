"""Replaying quarantined inbound events: the inbound processor's entry in the quarantine's
replayer table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from process_apis.inbound.processor import InboundProcessor
from process_apis.quarantine.port import QuarantinedRecord
from process_apis.quarantine.replayers import Replayed


class InboundReplayer:
    """Runs a quarantined ``inbound_event`` record through its event type's flow again."""

    def __init__(self, processor: InboundProcessor) -> None:
        self._processor = processor

    def corrected(self, record: QuarantinedRecord, payload: object) -> Mapping[str, Any]:
        return self._processor.check_payload(payload, record.payload)

    def check(self, record: QuarantinedRecord) -> None:
        # The replay validates the payload itself: what fails there is kept on the record
        # as its latest failure, like an error of the ERP.
        return None

    async def replay(self, record: QuarantinedRecord) -> Replayed:
        return Replayed(result=await self._processor.replay(record.payload))

    async def release_key(self, record: QuarantinedRecord) -> None:
        # The key is the inbound event's own id; no client sends it again.
        return None
