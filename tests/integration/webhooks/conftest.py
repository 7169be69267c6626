"""Webhook stores over the state database (SQLite and PostgreSQL) and a live receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.sql_store import SqlWebhookStore
from tests.integration.webhooks.support import Receiver, serving

CONNECTIONS = ("EU01", "US01")


@pytest.fixture
def store(state_engine: AsyncEngine) -> SqlWebhookStore:
    return SqlWebhookStore(state_engine)


@pytest.fixture
def admin(store: SqlWebhookStore) -> WebhookAdmin:
    return WebhookAdmin(store, CONNECTIONS)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(Receiver()) as running:
        yield running
