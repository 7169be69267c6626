"""How one connection's changes are captured: the ``change_capture`` settings of a connection."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from process_apis.change_capture.streams import Stream


class ChangeCapturePolicy(BaseModel):
    """Polling of one connection for changes, when the ERP cannot push them.

    ``start``: where capture begins on its very first poll, ``"now"`` (less the overlap;
    older history is not replayed as events) or an instant; later polls continue from the
    persisted watermark.
    ``overlap_seconds``: how far behind the watermark each poll reads again, for changes an
    ERP stamps with a time earlier than their commit (a transaction's start time); what is
    re-read is recognised and not staged twice. ``max_per_poll`` bounds the events one poll
    stages (a poll reads whole pages, so it may exceed it by less than ``page_size``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    interval_seconds: float = Field(default=30.0, gt=0)
    streams: tuple[Stream, ...] = (Stream.ORDERS, Stream.INVOICES, Stream.INVENTORY)
    start: Literal["now"] | AwareDatetime = "now"
    overlap_seconds: float = Field(default=10.0, ge=0)
    page_size: int = Field(default=100, ge=1, le=1000)
    max_per_poll: int = Field(default=1000, ge=1)

    @property
    def overlap(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.overlap_seconds)
