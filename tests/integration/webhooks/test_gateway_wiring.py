"""The composed gateway: an event staged in the outbox travels through the outbox relay,
the webhook enqueuer and the delivery worker to a live receiver, signed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from standardwebhooks.webhooks import Webhook

from experience_api.bootstrap import build_gateway
from experience_api.settings import Settings
from experience_api.webhooks.config import WebhookSettings
from process_apis.events.outbox import stage
from tests.integration.webhooks.support import Answer, Receiver, event


async def test_an_outbox_event_reaches_the_subscriber(tmp_path: Path, receiver: Receiver) -> None:
    settings = Settings(
        data_dir=tmp_path,
        webhooks=WebhookSettings(backoff_seconds=[0.2], max_attempts=3, poll_interval_seconds=0.1),
    )
    gateway = await build_gateway(settings)
    tasks = [asyncio.create_task(loop(), name=name) for name, loop in gateway.background.items()]
    try:
        assert gateway.services.webhooks is not None
        registered = await gateway.services.webhooks.register(
            receiver.script("gateway", Answer(503), Answer(200)), connections=["EU01"]
        )
        placed, elsewhere = event(1), event(2, connection="US01")
        async with gateway.engine.begin() as conn:
            await stage(conn, [placed, elsewhere])
        assert gateway.relay is not None
        gateway.relay.nudge()

        deadline = time.monotonic() + 20
        while len(receiver.at("gateway")) < 2:
            assert time.monotonic() < deadline, "the event did not arrive"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # anything else would have arrived by now
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await gateway.aclose()

    first, second = receiver.at("gateway")
    assert first.body == second.body  # the retry sends the same bytes
    payload = Webhook(registered.secret).verify(second.body, second.headers)
    assert payload["data"]["id"] == placed.id
    # The US01 event is outside the subscription's connections.
    assert len(receiver.at("gateway")) == 2
