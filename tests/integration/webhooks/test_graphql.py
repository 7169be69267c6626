"""The admin GraphQL API of outbound webhooks, over the real store (SQLite, PostgreSQL)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import strawberry
from standardwebhooks.webhooks import Webhook

from experience_api.schema import build_context, build_schema
from experience_api.security.permissions import Role, scopes_for
from experience_api.security.principal import Principal
from experience_api.services import Services
from experience_api.webhooks.sender import HttpxWebhookSender
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.backoff import RetryPolicy
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.sql_store import SqlWebhookStore
from process_apis.webhooks.worker import DeliveryWorker
from tests.integration.webhooks.support import Answer, Receiver, event
from tests.unit.graphql.support import data, make_erp, make_services

SUB = "id url description eventTypes connections status disabledReason createdAt"
ERRORS = "errors { __typename message code field }"
REGISTER = f"""mutation R($input: RegisterWebhookInput!) {{
  registerWebhook(input: $input) {{ secret subscription {{ {SUB} }} {ERRORS} }} }}"""
UPDATE = f"""mutation U($id: ID!, $input: UpdateWebhookInput!) {{
  updateWebhook(id: $id, input: $input) {{ subscription {{ {SUB} }} {ERRORS} }} }}"""
DISABLE = f"""mutation D($id: ID!, $reason: String) {{
  disableWebhook(id: $id, reason: $reason) {{ subscription {{ {SUB} }} {ERRORS} }} }}"""
ENABLE = f"""mutation E($id: ID!) {{
  enableWebhook(id: $id) {{ subscription {{ {SUB} }} {ERRORS} }} }}"""
DELETE = f"mutation X($id: ID!) {{ deleteWebhook(id: $id) {{ deletedId {ERRORS} }} }}"
ROTATE = f"""mutation S($id: ID!) {{
  rotateWebhookSecret(id: $id) {{ secret subscription {{ id }} {ERRORS} }} }}"""
REDELIVER = f"""mutation Re($id: ID!) {{
  redeliverWebhook(deliveryId: $id) {{ delivery {{ id status attempts }} {ERRORS} }} }}"""
LIST = f"query {{ webhookSubscriptions {{ {SUB} }} }}"
DELIVERIES = """query L($sub: ID, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(subscriptionId: $sub, status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id eventId eventType connection status attempts body lastStatusCode
      attemptLog { number series statusCode error durationMs responseBody outcome } } } }"""


@pytest.fixture
def services(store: SqlWebhookStore) -> Services:
    base = make_services({"EU01": make_erp("EU01"), "US01": make_erp("US01")})
    return dataclasses.replace(base, webhooks=WebhookAdmin(store, base.connections.names))


@pytest.fixture
def schema() -> strawberry.Schema:
    return build_schema()


class Gql:
    def __init__(self, schema: strawberry.Schema, services: Services):
        self.schema, self.services = schema, services

    async def raw(self, query: str, principal: Principal | None = None, **variables: Any) -> Any:
        context = build_context(self.services, principal=principal)
        return await self.schema.execute(query, variable_values=variables, context_value=context)

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        payload: dict[str, Any] = next(iter(data(await self.raw(query, **variables)).values()))
        return payload


@pytest.fixture
def gql(schema: strawberry.Schema, services: Services) -> Gql:
    return Gql(schema, services)


def _principal(roles: set[str], connections: frozenset[str] | None = None) -> Principal:
    return Principal(
        subject="someone",
        client_id="cli",
        roles=frozenset(roles),
        scopes=scopes_for(roles),
        connections=connections,
    )


async def test_register_answers_the_secret_once_and_lists_the_subscription(gql: Gql) -> None:
    payload = await gql(
        REGISTER,
        input={
            "url": "https://hooks.example.com/erp",
            "eventTypes": ["ORDER_PLACED", "INVOICE_ISSUED"],
            "connections": ["EU01"],
            "description": "billing",
        },
    )
    assert payload["errors"] == []
    assert payload["secret"].startswith("whsec_")
    sub = payload["subscription"]
    assert sub["eventTypes"] == ["ORDER_PLACED", "INVOICE_ISSUED"]
    assert sub["connections"] == ["EU01"]
    assert sub["status"] == "ACTIVE"
    listed = await gql(LIST)
    assert [s["id"] for s in listed] == [sub["id"]]


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"url": "ftp://files.example.com/"}, "url"),
        ({"url": "https://ok.example.com", "connections": ["EU01", "ZZ99"]}, "connections.1"),
        ({"url": "https://ok.example.com", "eventTypes": []}, "eventTypes"),
    ],
)
async def test_bad_input_is_a_typed_user_error(gql: Gql, input: dict[str, Any], field: str) -> None:
    payload = await gql(REGISTER, input=input)
    assert payload["subscription"] is None
    assert payload["secret"] is None
    [error] = payload["errors"]
    assert (error["__typename"], error["code"], error["field"]) == (
        "ValidationError",
        "INVALID_INPUT",
        field,
    )
    assert await gql(LIST) == []


async def test_an_unknown_event_type_is_refused_before_execution(gql: Gql) -> None:
    result = await gql.raw(REGISTER, input={"url": "https://x.example", "eventTypes": ["NOPE"]})
    assert result.errors is not None
    assert "NOPE" in result.errors[0].message
    assert await gql(LIST) == []


@pytest.mark.parametrize(
    "principal",
    [
        _principal({Role.SALES.value}),
        _principal({Role.ADMIN.value}, connections=frozenset({"EU01"})),
    ],
    ids=["not-admin", "admin-of-one-connection"],
)
async def test_without_the_admin_scope_on_every_connection_it_is_forbidden(
    gql: Gql, principal: Principal
) -> None:
    registered = await gql.raw(REGISTER, principal, input={"url": "https://x.example"})
    listed = await gql.raw(LIST, principal)
    for result in (registered, listed):
        assert result.errors is not None
        assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert await gql(LIST) == []


async def test_update_disable_enable_rotate_delete(gql: Gql) -> None:
    created = await gql(
        REGISTER, input={"url": "https://a.example/1", "eventTypes": ["ORDER_PLACED"]}
    )
    sub_id = created["subscription"]["id"]

    updated = await gql(UPDATE, id=sub_id, input={"url": "https://a.example/2", "eventTypes": None})
    assert updated["subscription"]["url"] == "https://a.example/2"
    assert updated["subscription"]["eventTypes"] is None
    kept = await gql(UPDATE, id=sub_id, input={"description": "kept filters"})
    assert kept["subscription"]["url"] == "https://a.example/2"
    refused = await gql(UPDATE, id=sub_id, input={"url": None})
    assert refused["errors"][0]["field"] == "url"

    disabled = await gql(DISABLE, id=sub_id, reason="receiver migrating")
    assert disabled["subscription"]["status"] == "DISABLED"
    assert disabled["subscription"]["disabledReason"] == "receiver migrating"
    enabled = await gql(ENABLE, id=sub_id)
    assert (enabled["subscription"]["status"], enabled["subscription"]["disabledReason"]) == (
        "ACTIVE",
        None,
    )

    rotated = await gql(ROTATE, id=sub_id)
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]

    assert (await gql(DELETE, id=sub_id))["deletedId"] == sub_id
    missing = await gql(DELETE, id=sub_id)
    assert missing["errors"][0]["__typename"] == "NotFoundError"
    assert (await gql(ENABLE, id=sub_id))["errors"][0]["code"] == "NOT_FOUND"


async def test_the_delivery_log_and_redelivery(
    gql: Gql, store: SqlWebhookStore, receiver: Receiver
) -> None:
    url = receiver.script("log", Answer(500, body="try later"))
    created = await gql(REGISTER, input={"url": url})
    sub_id, secret = created["subscription"]["id"], created["secret"]
    await WebhookEnqueuer(store).publish([event(1), event(2)])
    sender = HttpxWebhookSender(timeout=5)
    worker = DeliveryWorker(store, sender, RetryPolicy(schedule=(0,), max_attempts=1))
    try:
        while await worker.run_once():
            pass
    finally:
        await sender.aclose()

    first_page = await gql(DELIVERIES, sub=sub_id, first=1)
    assert first_page["totalCount"] == 2
    assert first_page["pageInfo"]["hasNextPage"] is True
    newest = first_page["nodes"][0]
    assert (newest["eventId"], newest["status"]) == ("evt-0002", "DELIVERED")
    second_page = await gql(
        DELIVERIES, sub=sub_id, first=1, after=first_page["pageInfo"]["endCursor"]
    )
    oldest = second_page["nodes"][0]
    assert (oldest["eventId"], oldest["status"], oldest["lastStatusCode"]) == (
        "evt-0001",
        "FAILED",
        500,
    )
    [attempt] = oldest["attemptLog"]
    assert (attempt["statusCode"], attempt["responseBody"], attempt["outcome"]) == (
        500,
        "try later",
        "FAILED",
    )
    failed = await gql(DELIVERIES, status="FAILED")
    assert [d["eventId"] for d in failed["nodes"]] == ["evt-0001"]

    redone = await gql(REDELIVER, id=oldest["id"])
    assert redone["delivery"]["status"] == "PENDING"
    assert redone["delivery"]["attempts"] == 0
    assert (await gql(REDELIVER, id="nope"))["errors"][0]["code"] == "NOT_FOUND"

    # The body the log shows is the one that was signed and sent.
    request = receiver.at("log")[0]
    assert Webhook(secret).verify(request.body, request.headers)
    assert request.body.decode() == oldest["body"]
