"""What the webhook store keeps: subscriptions, deliveries and the log of their attempts."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any
from urllib.parse import urlsplit

from process_apis.errors import InvalidInput

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MAX_URL_LENGTH = 2048


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class DeliveryStatus(StrEnum):
    """``pending`` until sent (or retried); the three others are final until a redelivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    GONE = "gone"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks format: ``whsec_`` + base64 of 32 bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def validate_url(url: str, *, field: str = "url", allow_private: bool = True) -> str:
    """``url`` when it is an absolute http(s) URL a delivery can be posted to.

    Credentials in the URL are refused: they would be stored and shown in plain text
    wherever the subscription is listed. Without ``allow_private``, a host that is an IP
    address outside the public internet (loopback, private, link-local such as a cloud
    metadata service) is refused too; names are checked when a delivery is sent.
    """
    text = url.strip()
    if not text:
        raise InvalidInput("the URL is required", field=field)
    if len(text) > MAX_URL_LENGTH:
        raise InvalidInput(f"the URL is longer than {MAX_URL_LENGTH} characters", field=field)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"invalid URL: {exc}", field=field) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(
            f"the URL must start with http:// or https://, got {text[:64]!r}", field=field
        )
    if not parts.hostname:
        raise InvalidInput("the URL has no host", field=field)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("the URL must not carry credentials", field=field)
    if parts.fragment:
        raise InvalidInput("the URL must not have a fragment (#...)", field=field)
    if port == 0:
        raise InvalidInput("the URL's port must be between 1 and 65535", field=field)
    if any(ch.isspace() for ch in text):
        raise InvalidInput("the URL must not contain spaces", field=field)
    if not allow_private and not is_public_host(parts.hostname):
        raise InvalidInput(
            f"the URL points to a private or local address ({parts.hostname}); "
            "only public addresses are allowed here",
            field=field,
        )
    return text


def is_public_host(host: str) -> bool:
    """False for an IP address outside the public internet; True for any other address
    and for names (they are resolved, and checked, when a delivery is sent)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.lower() not in (
            "localhost",
            "localhost.localdomain",
        ) and not host.lower().endswith(".localhost")
    return address.is_global


@dataclass(frozen=True)
class Subscription:
    """Where events go. ``event_types``/``connections`` None means every type/connection;
    ``secret`` is never shown after creation or rotation (see :class:`RegisteredSubscription`)."""

    id: str
    url: str
    description: str | None
    event_types: tuple[str, ...] | None
    connections: tuple[str, ...] | None
    status: SubscriptionStatus
    disabled_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def wants(self, event_type: str, connection: str) -> bool:
        return (self.event_types is None or event_type in self.event_types) and (
            self.connections is None or connection in self.connections
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "description": self.description,
            "event_types": None if self.event_types is None else list(self.event_types),
            "connections": None if self.connections is None else list(self.connections),
            "status": self.status.value,
            "disabled_reason": self.disabled_reason,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class RegisteredSubscription:
    """A subscription with its signing secret: answered once, at creation or rotation."""

    subscription: Subscription
    secret: str


@dataclass(frozen=True)
class SigningKeys:
    """The secrets a delivery is signed with: the current one, and the previous one while
    its grace period after a rotation lasts."""

    current: str
    previous: str | None = None


@dataclass(frozen=True)
class NewSubscription:
    url: str
    event_types: tuple[str, ...] | None = None
    connections: tuple[str, ...] | None = None
    description: str | None = None


@dataclass(frozen=True)
class Attempt:
    """One try to deliver: what the receiver answered (or why nothing came back)."""

    number: int
    series: int
    attempted_at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None
    outcome: AttemptOutcome

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "series": self.series,
            "attempted_at": self.attempted_at.isoformat(),
            "status_code": self.status_code,
            "error": self.error,
            "duration_ms": self.duration_ms,
            "response_body": self.response_body,
            "outcome": self.outcome.value,
        }


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription. ``attempts`` counts the tries of the current series
    (a redelivery starts a new series); ``attempt_log`` holds every try of every series."""

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    connection: str
    payload: str
    status: DeliveryStatus
    attempts: int
    series: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    leased: bool = False
    attempt_log: tuple[Attempt, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subscription_id": self.subscription_id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "connection": self.connection,
            "status": self.status.value,
            "attempts": self.attempts,
            "series": self.series,
            "next_attempt_at": None
            if self.next_attempt_at is None
            else self.next_attempt_at.isoformat(),
            "last_status_code": self.last_status_code,
            "last_error": self.last_error,
            "created_at": self.created_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "attempt_log": [a.as_json() for a in self.attempt_log],
        }


@dataclass(frozen=True)
class DeliveryFilter:
    subscription_id: str | None = None
    status: DeliveryStatus | None = None
    event_id: str | None = None


@dataclass(frozen=True)
class DeliveryPage:
    items: tuple[Delivery, ...]
    total: int
    offset: int


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery leased to one worker for one attempt; ``lease_token`` proves the lease."""

    delivery: Delivery
    url: str
    keys: SigningKeys
    lease_token: str
    traceparent: str | None = None
    """The trace of the request that staged the event; each attempt is a span in it."""


@dataclass(frozen=True)
class AttemptResult:
    """What the worker writes back after an attempt."""

    attempted_at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None
    outcome: AttemptOutcome
    next_attempt_at: dt.datetime | None = None


class Keep(Enum):
    """Marks a field an update leaves as it is (None is a value: "every type")."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class SubscriptionChanges:
    url: str | Keep = KEEP
    description: str | Keep | None = KEEP
    event_types: tuple[str, ...] | Keep | None = KEEP
    connections: tuple[str, ...] | Keep | None = KEEP
