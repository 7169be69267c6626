"""The running gateway (app, lifespan, background loops, bearer tokens): a webhook
registered over GraphQL receives the order a client places, signed; a caller without the
admin scope is refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from experience_api.app import create_app
from experience_api.security.dev_keys import load_or_create_dev_key
from experience_api.settings import Settings
from experience_api.webhooks.config import WebhookSettings
from tests.integration.webhooks.support import Receiver

REGISTER = """mutation R($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret subscription { id } errors { message } } }"""
PLACE = """mutation P($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id } errors { code message } } }"""
DELIVERIES = """query D($sub: ID) { webhookDeliveries(subscriptionId: $sub) {
  nodes { eventType status attemptLog { statusCode } } } }"""


class Api:
    def __init__(self, client: httpx.AsyncClient, settings: Settings):
        self.client, self.settings = client, settings

    def token(self, *roles: str) -> str:
        key = load_or_create_dev_key(self.settings.data_dir)
        return key.issue(
            audience=self.settings.auth.audience,
            subject="webhook-test",
            roles=roles,
            scopes=(),
            companies=("*",),
        )

    async def gql(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    settings = Settings(
        data_dir=tmp_path,
        webhooks=WebhookSettings(backoff_seconds=[0.2], poll_interval_seconds=0.1),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Api(client, settings)


async def test_a_placed_order_reaches_the_subscriber(api: Api, receiver: Receiver) -> None:
    admin, sales = api.token("admin"), api.token("sales")
    refused = await api.gql(REGISTER, sales, input={"url": receiver.script("denied")})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    registered = (
        await api.gql(
            REGISTER,
            admin,
            input={"url": receiver.script("orders"), "eventTypes": ["ORDER_PLACED"]},
        )
    )["data"]["registerWebhook"]
    assert registered["errors"] == []
    order_input = {
        "idempotencyKey": "webhook-e2e-1",
        "customerId": "EU01:10100001",
        "lines": [{"sku": "TG11", "quantity": "1"}],
    }
    placed = (await api.gql(PLACE, sales, input=order_input))["data"]["placeOrder"]
    assert placed["errors"] == []

    deadline = time.monotonic() + 30
    while not receiver.at("orders"):
        assert time.monotonic() < deadline, "no webhook arrived"
        await asyncio.sleep(0.05)

    (request,) = receiver.at("orders")
    payload = Webhook(registered["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "order.placed"
    assert payload["data"]["aggregate"] == f"order:{placed['order']['id']}"
    assert receiver.at("denied") == []

    # The log is written once the receiver's answer is in.
    while True:
        log = await api.gql(DELIVERIES, admin, sub=registered["subscription"]["id"])
        [delivery] = log["data"]["webhookDeliveries"]["nodes"]
        if delivery["status"] != "PENDING" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert delivery == {
        "eventType": "order.placed",
        "status": "DELIVERED",
        "attemptLog": [{"statusCode": 200}],
    }
