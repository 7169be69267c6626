"""Gateway settings: defaults, then a TOML file (``--config``), then ``ERP_GATEWAY_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from experience_api.cache_settings import CacheSettings
from experience_api.connection_settings import ConnectionSettings, check_pairings
from experience_api.inbound.config import InboundSettings
from experience_api.limits.config import GraphQLSettings
from experience_api.mcp.config import McpSettings
from experience_api.observability.config import TracingSettings
from experience_api.security.config import AuthSettings
from experience_api.webhooks.config import WebhookSettings

ENV_PREFIX = "ERP_GATEWAY_"


class EventSettings(BaseModel):
    """Business events: the outbox relay and the bus it publishes to.

    ``memory`` serves GraphQL subscribers of this process only (the embedded default);
    ``rabbitmq`` publishes to a durable topic exchange that every replica and external
    consumers read.
    """

    model_config = ConfigDict(extra="forbid")

    broker: Literal["memory", "rabbitmq"] = "memory"
    rabbitmq_url: SecretStr | None = Field(
        default=None, description="amqp://user:password@host:5672/vhost; required for rabbitmq"
    )
    exchange: str = Field(default="erp-gateway.events", min_length=1, max_length=255)
    relay_poll_interval_seconds: float = Field(
        default=0.1,
        gt=0,
        le=60,
        description="how often the outbox is checked for events of other processes right "
        "after the last event; idle, the wait doubles up to relay_idle_poll_interval_seconds",
    )
    relay_idle_poll_interval_seconds: float = Field(
        default=1.0, gt=0, le=60, description="the longest wait between checks when idle"
    )
    relay_batch_size: int = Field(default=100, ge=1, le=10_000)
    relay_lease_seconds: float = Field(
        default=10, ge=1, description="a stopped relay's replica is taken over after this"
    )
    retention_hours: float = Field(
        default=24, gt=0, description="published events are kept this long, then purged"
    )
    subscriber_queue: int = Field(
        default=1000, ge=1, description="events a subscriber may lag behind before it is ended"
    )

    @model_validator(mode="after")
    def _broker_reachable(self) -> EventSettings:
        if self.broker == "rabbitmq" and self.rabbitmq_url is None:
            raise ValueError("events.rabbitmq_url is required when events.broker is rabbitmq")
        return self


def _embedded_default() -> list[ConnectionSettings]:
    """One SAP connection served by the built-in sandbox, reading its employees from a
    SuccessFactors connection served by the same sandbox's SuccessFactors API."""
    return [
        ConnectionSettings.model_validate({"name": "EU01", "employees_from": "SF01"}),
        ConnectionSettings.model_validate({"name": "SF01", "kind": "successfactors"}),
    ]


class Settings(BaseSettings):
    """Everything the gateway reads at start-up. Nothing is read at import time."""

    # Errors name the setting, never its value: a configuration holds passwords and keys.
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", hide_input_in_errors=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in data_dir"
    )
    sqlite_synchronous: Literal["full", "normal"] = Field(
        default="full",
        description="SQLite state file: 'full' waits for an fsync at every commit, so nothing "
        "accepted is lost even to a power cut; 'normal' commits without waiting for the disk "
        "(safe against any crash of the process; an OS crash or power cut may take back the "
        "last commits)",
    )
    connections: list[ConnectionSettings] = Field(default_factory=lambda: _embedded_default())
    graphiql: bool = True
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    idempotency_retention_hours: float = Field(default=24, gt=0)
    in_flight_timeout_seconds: float = Field(
        default=120, gt=0, description="an order unfinished this long is resumed by recovery"
    )
    recovery_interval_seconds: float = Field(
        default=30, gt=0, description="how often stalled orders are looked for"
    )
    pending_retries: bool = Field(
        default=True,
        description="retry orders the ERP could not take for now automatically; false: "
        "they go to review at once",
    )
    pending_retry_base_seconds: float = Field(
        default=2, gt=0, description="first wait before retrying an order the ERP could not take"
    )
    pending_retry_cap_seconds: float = Field(
        default=300, gt=0, description="longest wait between automatic retries of an order"
    )
    pending_deadline_hours: float = Field(
        default=24, gt=0, description="an order not placed by then goes to review"
    )
    pending_retry_interval_seconds: float = Field(
        default=2, gt=0, description="how often pending orders due for a retry are looked for"
    )
    sandbox_username: str = "GATEWAY"
    sandbox_password: SecretStr = SecretStr("sandbox")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object a line, with the request's ids"
    )
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    mode: Literal["local", "production"] = Field(
        default="local",
        description="production: bearer tokens required, the development key refused",
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    graphql: GraphQLSettings = Field(default_factory=GraphQLSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    audit_key: SecretStr | None = Field(
        default=None, description="seals the audit log; default: a key created in data_dir"
    )
    audit_key_file: Path | None = None
    inbound: InboundSettings = Field(default_factory=InboundSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    mcp: McpSettings = Field(default_factory=McpSettings)

    config_file: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.default_page_size > self.max_page_size:
            raise ValueError("default_page_size must not exceed max_page_size")
        names = [c.name for c in self.connections]
        if len(set(names)) != len(names):
            raise ValueError(f"connection names must be unique: {names}")
        if not self.connections:
            raise ValueError("at least one connection is required")
        check_pairings(self.connections)
        self.inbound.check(names)
        return self

    @property
    def state_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'gateway.sqlite'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file_from(init_settings)
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def _config_file_from(init_settings: PydanticBaseSettingsSource) -> Path | None:
    explicit = init_settings().get("config_file")
    path = explicit or os.environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"configuration file not found: {path}")
    return path


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Settings from a TOML file and the environment; ``overrides`` (CLI flags) win."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(config_file=config_file, **given)  # type: ignore[arg-type]
