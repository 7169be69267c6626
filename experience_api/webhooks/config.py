"""Settings of outbound webhooks (``[webhooks]`` in the TOML file,
``ERP_GATEWAY_WEBHOOKS__*`` in the environment)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from process_apis.webhooks.backoff import DEFAULT_SCHEDULE, RetryPolicy


class WebhookSettings(BaseModel):
    """Delivery of events to subscribed URLs. Subscriptions themselves are kept in the
    state database and managed with the admin API or ``erp-gateway webhooks``."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True, description="enqueue events for subscriptions and run the delivery worker"
    )
    backoff_seconds: list[float] = Field(
        default_factory=lambda: list(DEFAULT_SCHEDULE),
        min_length=1,
        description="delay before the 2nd, 3rd, ... attempt; the last one repeats",
    )
    max_attempts: int = Field(
        default=len(DEFAULT_SCHEDULE) + 1,
        ge=1,
        le=100,
        description="attempts before a delivery is marked failed (it stays redeliverable)",
    )
    jitter: float = Field(default=0.1, ge=0, lt=1, description="spread of each delay, ±fraction")
    max_retry_after_seconds: float = Field(
        default=3600, ge=0, description="cap on a receiver's Retry-After"
    )
    timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="per request")
    concurrency: int = Field(default=8, ge=1, le=256, description="requests in flight per replica")
    poll_interval_seconds: float = Field(
        default=1.0, gt=0, description="how often each replica looks for due deliveries"
    )
    response_body_chars: int = Field(
        default=1024, ge=0, le=65536, description="characters of each answer kept in the log"
    )
    delivered_retention_days: float | None = Field(
        default=30,
        gt=0,
        description="delivered deliveries older than this are deleted with their log "
        "(failed and cancelled ones are kept); unset: keep everything",
    )
    secret_rotation_grace_hours: float = Field(
        default=24, ge=0, description="how long the previous secret still signs after a rotation"
    )

    allow_private_targets: bool | None = Field(
        default=None,
        description="post to loopback, private and link-local addresses; default: yes in "
        "local mode, no in production (a subscription must not reach internal services)",
    )

    @model_validator(mode="after")
    def _valid_schedule(self) -> WebhookSettings:
        if any(delay < 0 for delay in self.backoff_seconds):
            raise ValueError("webhooks.backoff_seconds must not be negative")
        return self

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            schedule=tuple(self.backoff_seconds),
            max_attempts=self.max_attempts,
            jitter=self.jitter,
            max_retry_after=self.max_retry_after_seconds,
        )

    def private_targets_allowed(self, mode: str) -> bool:
        if self.allow_private_targets is not None:
            return self.allow_private_targets
        return mode != "production"

    @property
    def retention(self) -> dt.timedelta | None:
        days = self.delivered_retention_days
        return None if days is None else dt.timedelta(days=days)

    @property
    def lease_seconds(self) -> float:
        # Longer than any attempt can take, so that a lease only expires for a dead worker.
        return 2 * self.timeout_seconds + 30
