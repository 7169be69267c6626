"""Settings of tracing (``[tracing]`` in the TOML file, ``ERP_GATEWAY_TRACING__*``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TracingSettings(BaseModel):
    """OpenTelemetry traces, exported over OTLP/HTTP; off until an endpoint is set."""

    model_config = ConfigDict(extra="forbid")

    otlp_endpoint: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="where spans are sent, e.g. http://collector:4318/v1/traces; "
        "unset: no traces are recorded",
    )
    service_name: str = Field(default="erp-gateway", min_length=1, max_length=255)
    sample_ratio: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="share of new traces recorded; a caller's sampled traceparent is followed",
    )
    headers: dict[str, str] = Field(
        default_factory=dict, description="sent with each export, e.g. an API key of the backend"
    )

    @property
    def enabled(self) -> bool:
        return self.otlp_endpoint is not None
