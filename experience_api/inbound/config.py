"""Settings of inbound webhooks: the sources allowed to push, and how events are processed."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class InboundSourceSettings(BaseModel):
    """A system that pushes events: ``kind`` decides which event types it may send,
    ``connection`` names the ERP connection they concern (an ``erp`` source without one
    names it in each event). The signing secret is the Standard Webhooks secret
    (``whsec_`` and base64), given as a value or read from ``secret_file``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["wms", "erp", "crm"]
    secret: SecretStr | None = None
    secret_file: Path | None = None
    connection: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> InboundSourceSettings:
        if (self.secret is None) == (self.secret_file is None):
            raise ValueError(f"inbound source {self.name}: set exactly one of secret, secret_file")
        if self.kind != "erp" and self.connection is None:
            raise ValueError(f"inbound source {self.name}: a {self.kind} source needs a connection")
        return self

    def signing_secret(self) -> str:
        """The secret, read from ``secret_file`` when that is set (container secrets)."""
        if self.secret_file is not None:
            return self.secret_file.read_text().strip()
        assert self.secret is not None
        return self.secret.get_secret_value()


class InboundSettings(BaseModel):
    """``[inbound]``: sources, the largest body taken, and the processor's retry policy."""

    model_config = ConfigDict(extra="forbid")

    sources: list[InboundSourceSettings] = Field(default_factory=list)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=16 * 1024 * 1024)
    poll_interval_seconds: float = Field(
        default=2.0, gt=0, description="how often each replica looks for due events"
    )
    max_attempts: int = Field(
        default=8, ge=1, description="attempts before an ERP outage sends an event to quarantine"
    )
    retry_base_seconds: float = Field(default=2.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    lease_seconds: float = Field(
        default=300.0, gt=0, description="longer than an ERP call can take, retries included"
    )
    batch_size: int = Field(default=50, ge=1, le=1000)
    concurrency: int = Field(
        default=16, ge=1, le=64, description="events of different records handled at once"
    )

    def check(self, connections: Collection[str]) -> None:
        """ValueError when sources repeat a name or name an unknown connection."""
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError(f"inbound source names must be unique: {names}")
        for source in self.sources:
            if source.connection is not None and source.connection not in connections:
                raise ValueError(
                    f"inbound source {source.name}: unknown connection {source.connection!r}"
                )
