"""Admin operations on outbound webhooks: subscriptions, their secrets, the delivery log.

Every field needs the ``admin`` scope and access to every connection (a subscription may
receive events of any connection); otherwise the answer is a FORBIDDEN error. The signing
secret is answered only by ``registerWebhook`` and ``rotateWebhookSecret``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.permission import BasePermission

from experience_api.schema.authorization import Forbidden, requires
from experience_api.schema.common import After, Connection, First
from experience_api.schema.context import Info
from experience_api.schema.errors import ClientError, client_errors
from experience_api.schema.offset_cursors import OffsetCursors
from experience_api.schema.user_errors import UserError, ValidationError, user_error
from experience_api.schema.webhook_types import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEventType,
    WebhookSubscription,
)
from experience_api.security.permissions import Scope
from process_apis.errors import FlowError, RecordNotFound
from process_apis.webhooks import model
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.model import KEEP, Keep

ADMIN = "Admin operation (outbound webhooks). "


class _EveryConnection(BasePermission):
    message = "webhook administration needs access to every connection"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.connections is None

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message)


_PERMISSIONS: list[type[BasePermission]] = [requires(Scope.ADMIN), _EveryConnection]


def _admin(resolver: Callable[..., Any], description: str, *, mutation: bool = False) -> Any:
    make = strawberry.mutation if mutation else strawberry.field
    return make(resolver=resolver, description=ADMIN + description, permission_classes=_PERMISSIONS)


def _service(info: Info) -> WebhookAdmin:
    service = info.context.services.webhooks
    if service is None:
        raise ClientError("outbound webhooks are not available here", code="UNAVAILABLE")
    return service


_CURSORS = OffsetCursors("webhook-deliveries")


async def resolve_subscriptions(info: Info) -> list[WebhookSubscription]:
    return [WebhookSubscription.from_model(s) for s in await _service(info).list()]


async def resolve_subscription(info: Info, id: strawberry.ID) -> WebhookSubscription | None:
    try:
        return WebhookSubscription.from_model(await _service(info).get(id))
    except RecordNotFound:
        return None


async def resolve_deliveries(
    info: Info,
    subscription_id: strawberry.ID | None = None,
    status: WebhookDeliveryStatus | None = None,
    event_id: str | None = None,
    first: First = None,
    after: After = None,
) -> Connection[WebhookDelivery]:
    limits = info.context.services.paging
    size = limits.default_page_size if first is None else first
    if not 1 <= size <= limits.max_page_size:
        raise ClientError(
            f"`first` must be between 1 and {limits.max_page_size} "
            f"(the maximum page size), got {size}",
            field="first",
        )
    start = _CURSORS.offset_after(after)
    wanted = model.DeliveryFilter(
        subscription_id=subscription_id,
        status=None if status is None else model.DeliveryStatus(status.value),
        event_id=event_id,
    )
    with client_errors():
        page = await _service(info).deliveries(wanted, limit=size, offset=start)
    return _CURSORS.connection(
        [WebhookDelivery.from_model(item) for item in page.items], start, page.total
    )


@strawberry.type
class WebhookQueries:
    webhook_subscriptions: list[WebhookSubscription] = _admin(
        resolve_subscriptions, "Every webhook subscription, oldest first."
    )
    webhook_subscription: WebhookSubscription | None = _admin(
        resolve_subscription, "One subscription; null when it does not exist."
    )
    webhook_deliveries: Connection[WebhookDelivery] = _admin(
        resolve_deliveries,
        "Deliveries with their attempts, newest first; filter by subscription, status or event.",
    )


@strawberry.input
class RegisterWebhookInput:
    url: str = strawberry.field(description="http(s) URL the events are posted to.")
    event_types: list[WebhookEventType] | None = strawberry.field(
        default=None, description="Null or omitted: every event type."
    )
    connections: list[str] | None = strawberry.field(
        default=None, description="Null or omitted: every connection."
    )
    description: str | None = None


@strawberry.input(description="Omitted fields stay; null event types or connections: all.")
class UpdateWebhookInput:
    url: str | None = strawberry.UNSET
    event_types: list[WebhookEventType] | None = strawberry.UNSET
    connections: list[str] | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.type
class WebhookSecretPayload:
    subscription: WebhookSubscription | None
    secret: str | None = strawberry.field(
        description="The signing secret (`whsec_...`); shown only in this answer, keep it."
    )
    errors: list[UserError]


@strawberry.type
class WebhookSubscriptionPayload:
    subscription: WebhookSubscription | None
    errors: list[UserError]


@strawberry.type
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None
    errors: list[UserError]


def _names(values: list[WebhookEventType] | None) -> list[str] | None:
    return None if values is None else [v.value for v in values]


def _kept(value: Any) -> Any:
    return KEEP if value is strawberry.UNSET else value


def _secret_payload(result: model.RegisteredSubscription) -> WebhookSecretPayload:
    return WebhookSecretPayload(
        subscription=WebhookSubscription.from_model(result.subscription),
        secret=result.secret,
        errors=[],
    )


def _error(exc: FlowError) -> UserError:
    return user_error(exc)


async def resolve_register(info: Info, input: RegisterWebhookInput) -> WebhookSecretPayload:
    try:
        registered = await _service(info).register(
            input.url,
            event_types=_names(input.event_types),
            connections=input.connections,
            description=input.description,
        )
    except FlowError as exc:
        return WebhookSecretPayload(subscription=None, secret=None, errors=[_error(exc)])
    return _secret_payload(registered)


async def resolve_update(
    info: Info, id: strawberry.ID, input: UpdateWebhookInput
) -> WebhookSubscriptionPayload:
    if input.url is None:
        error = ValidationError(message="url cannot be null", code="INVALID_INPUT", field="url")
        return WebhookSubscriptionPayload(subscription=None, errors=[error])
    event_types: list[str] | Keep | None = (
        KEEP if input.event_types is strawberry.UNSET else _names(input.event_types)
    )
    try:
        updated = await _service(info).update(
            id,
            url=_kept(input.url),
            event_types=event_types,
            connections=_kept(input.connections),
            description=_kept(input.description),
        )
    except FlowError as exc:
        return WebhookSubscriptionPayload(subscription=None, errors=[_error(exc)])
    return WebhookSubscriptionPayload(
        subscription=WebhookSubscription.from_model(updated), errors=[]
    )


async def resolve_disable(
    info: Info, id: strawberry.ID, reason: str | None = None
) -> WebhookSubscriptionPayload:
    try:
        disabled = await _service(info).disable(id, reason)
    except FlowError as exc:
        return WebhookSubscriptionPayload(subscription=None, errors=[_error(exc)])
    return WebhookSubscriptionPayload(
        subscription=WebhookSubscription.from_model(disabled), errors=[]
    )


async def resolve_enable(info: Info, id: strawberry.ID) -> WebhookSubscriptionPayload:
    try:
        enabled = await _service(info).enable(id)
    except FlowError as exc:
        return WebhookSubscriptionPayload(subscription=None, errors=[_error(exc)])
    return WebhookSubscriptionPayload(
        subscription=WebhookSubscription.from_model(enabled), errors=[]
    )


async def resolve_delete(info: Info, id: strawberry.ID) -> DeleteWebhookPayload:
    try:
        await _service(info).delete(id)
    except FlowError as exc:
        return DeleteWebhookPayload(deleted_id=None, errors=[_error(exc)])
    return DeleteWebhookPayload(deleted_id=id, errors=[])


async def resolve_rotate(info: Info, id: strawberry.ID) -> WebhookSecretPayload:
    try:
        rotated = await _service(info).rotate_secret(id)
    except FlowError as exc:
        return WebhookSecretPayload(subscription=None, secret=None, errors=[_error(exc)])
    return _secret_payload(rotated)


async def resolve_redeliver(info: Info, delivery_id: strawberry.ID) -> RedeliverWebhookPayload:
    try:
        delivery = await _service(info).redeliver(delivery_id)
    except FlowError as exc:
        return RedeliverWebhookPayload(delivery=None, errors=[_error(exc)])
    return RedeliverWebhookPayload(delivery=WebhookDelivery.from_model(delivery), errors=[])


@strawberry.type
class WebhookMutations:
    register_webhook: WebhookSecretPayload = _admin(
        resolve_register,
        "Subscribe a URL to events; the answer holds the signing secret, shown only here.",
        mutation=True,
    )
    update_webhook: WebhookSubscriptionPayload = _admin(
        resolve_update, "Change a subscription's URL, filters or description.", mutation=True
    )
    disable_webhook: WebhookSubscriptionPayload = _admin(
        resolve_disable,
        "Pause a subscription: no new deliveries; pending ones wait until it is enabled.",
        mutation=True,
    )
    enable_webhook: WebhookSubscriptionPayload = _admin(
        resolve_enable, "Resume a disabled subscription.", mutation=True
    )
    delete_webhook: DeleteWebhookPayload = _admin(
        resolve_delete, "Remove a subscription with its deliveries and their log.", mutation=True
    )
    rotate_webhook_secret: WebhookSecretPayload = _admin(
        resolve_rotate,
        "A new signing secret, shown only here; the previous one keeps signing (as a second "
        "signature) for the configured grace period.",
        mutation=True,
    )
    redeliver_webhook: RedeliverWebhookPayload = _admin(
        resolve_redeliver,
        "Send a delivery again, whatever its status, as a new series of attempts.",
        mutation=True,
    )
