"""``GET /metrics`` after what a user does: a GraphQL query, an order placed, an order
quarantined during an outage and replayed; and two replicas over one PostgreSQL state
report the same quarantine backlog."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from experience_api.settings import Settings
from tests.e2e.conftest import Running
from tests.e2e.test_quarantine import ORDER, PLACE, REPLAY, gateway, place, sap_back, sap_down
from tests.support.state import database_url, postgres_database

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
PRODUCTS = "query Products { products(first: 2) { nodes { sku } } }"
BROKEN = "query Broken { noSuchField }"
OPEN_ORDERS = {"kind": "place_order", "connection": "EU01", "status": "open"}


async def scrape(running: Running) -> Samples:
    response = await running.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def published(running: Running, wanted: float) -> Samples:
    """Scrapes until the relay has published ``wanted`` order.placed events (it runs on
    its own task) and the outbox is drained."""
    for _ in range(200):
        samples = await scrape(running)
        count = value(
            samples, "erp_gateway_events_published_total", type="order.placed", connection="EU01"
        )
        if count == wanted and value(samples, "erp_gateway_outbox_backlog") == 0:
            return samples
        await asyncio.sleep(0.05)
    raise AssertionError(f"the relay did not publish {wanted} order.placed events")


async def test_a_query_and_an_order_show_in_the_metrics(running: Running) -> None:
    assert "data" in await running.gql(PRODUCTS)
    calls = "erp_gateway_erp_call_duration_seconds_count"
    ok = {"connection": "EU01", "outcome": "ok"}
    # One product page, one call to SAP.
    assert value(await scrape(running), calls, method="list_products", **ok) == 1
    assert "errors" in await running.gql(BROKEN)
    placed = (await running.gql(PLACE, {"input": ORDER}))["data"]["placeOrder"]
    assert placed["errors"] == []

    # Prometheus scrapes without a token, as it does /ready.
    del running.client.headers["Authorization"]
    samples = await published(running, 1)

    operations = "erp_gateway_api_operation_duration_seconds_count"
    errors = "erp_gateway_api_operation_errors_total"
    assert value(samples, operations, api="graphql", operation="Products") == 1
    assert value(samples, errors, api="graphql", operation="Products") is None
    assert value(samples, operations, api="graphql", operation="Place") == 1
    assert value(samples, operations, api="graphql", operation="Broken") == 1
    assert value(samples, errors, api="graphql", operation="Broken") == 1

    assert value(samples, calls, method="create_sales_order", **ok) == 1
    assert value(samples, "erp_gateway_erp_breaker_state", connection="EU01", state="closed") == 1
    assert value(samples, "erp_gateway_erp_breaker_state", connection="EU01", state="open") == 0
    assert value(samples, "erp_gateway_erp_retries_total", connection="EU01") == 0

    runs = "erp_gateway_flow_runs_total"
    assert value(samples, runs, flow="place_order", connection="EU01", outcome="ok") == 1
    latency = {"path": "erp_to_event", "type": "order.placed", "connection": "EU01"}
    assert value(samples, "erp_gateway_data_latency_seconds_count", **latency) == 1

    assert value(samples, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 0
    assert value(samples, "erp_gateway_outbox_lag_seconds") == 0
    holder = running.gateway.relay.lease.holder  # type: ignore[union-attr, attr-defined]
    lease = "erp_gateway_outbox_relay_lease_expiry_timestamp_seconds"
    assert value(samples, lease, holder=holder) is not None


async def test_an_order_quarantined_then_replayed_shows_in_the_metrics(tmp_path: Path) -> None:
    async with gateway(sap_down(tmp_path)) as down:
        first = await place(down)
        record_id = first["errors"][0]["quarantineId"]
        samples = await scrape(down)
        runs = "erp_gateway_flow_runs_total"
        assert (
            value(samples, runs, flow="place_order", connection="EU01", outcome="quarantined") == 1
        )
        failed = [
            labels
            for (name, labels), count in samples.items()
            if name == "erp_gateway_erp_call_errors_total" and count > 0
        ]
        assert failed
        assert all(("kind", "unavailable") in labels for labels in failed)
        assert value(samples, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 1

    async with gateway(sap_back(tmp_path)) as back:
        before = await scrape(back)
        assert value(before, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 1
        replayed = (await back.gql(REPLAY, {"id": record_id}))["data"]["replayQuarantinedRecord"]
        assert replayed["errors"] == []
        again = (await back.gql(REPLAY, {"id": record_id}))["data"]["replayQuarantinedRecord"]
        assert again["errors"][0]["code"] == "INVALID_STATE"

        samples = await scrape(back)
        interventions = "erp_gateway_quarantine_interventions_total"
        assert value(samples, interventions, action="replay", outcome="ok") == 1
        assert value(samples, interventions, action="replay", outcome="refused") == 1
        assert value(samples, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 0
        ok = {"connection": "EU01", "outcome": "ok"}
        assert (
            value(
                samples,
                "erp_gateway_erp_call_duration_seconds_count",
                method="create_sales_order",
                **ok,
            )
            == 1
        )


@pytest.fixture
def shared_state() -> Iterator[str]:
    with postgres_database("metrics") as name:
        yield database_url(name)


async def test_two_replicas_over_one_state_report_the_same_backlog(
    tmp_path: Path, shared_state: str
) -> None:
    def replica(settings: Settings) -> Settings:
        return settings.model_copy(update={"database_url": shared_state})

    async with (
        gateway(replica(sap_down(tmp_path))) as a,
        gateway(replica(sap_back(tmp_path))) as b,
    ):
        record_id = (await place(a))["errors"][0]["quarantineId"]
        seen_a, seen_b = await scrape(a), await scrape(b)
        assert value(seen_a, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 1
        assert value(seen_b, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 1
        # Counters are each replica's own: only A placed the order.
        runs = "erp_gateway_flow_runs_total"
        quarantined = {"flow": "place_order", "connection": "EU01", "outcome": "quarantined"}
        assert (value(seen_a, runs, **quarantined), value(seen_b, runs, **quarantined)) == (1, None)

        replayed = (await b.gql(REPLAY, {"id": record_id}))["data"]["replayQuarantinedRecord"]
        assert replayed["errors"] == []
        seen_a, seen_b = await scrape(a), await scrape(b)
        for seen in (seen_a, seen_b):
            assert value(seen, "erp_gateway_quarantine_backlog", **OPEN_ORDERS) == 0
        lease = "erp_gateway_outbox_relay_lease_expiry_timestamp_seconds"
        holders_a = {labels for name, labels in seen_a if name == lease}
        holders_b = {labels for name, labels in seen_b if name == lease}
        assert holders_a == holders_b
        assert len(holders_a) == 1
