"""One trace per request: a caller's ``traceparent`` is the parent of the gateway's spans
and reaches the ERP; ``X-Request-ID`` is kept or made, and echoed."""

from __future__ import annotations

import asyncio
import re

from opentelemetry.sdk.trace import ReadableSpan

from tests.e2e.conftest import Running
from tests.integration.webhooks.support import Receiver, serving
from tests.support.tracing import Spans

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
QUERY = "query TopCustomers { customers(first: 3) { nodes { id name } } }"
PLACE = """mutation Place { placeOrder(input: {idempotencyKey: "trace-1",
  customerId: "EU01:10100001", lines: [{sku: "TG11", quantity: "1"}]}) {
  order { id } errors { code } } }"""


async def _post(running: Running, query: str, **headers: str) -> tuple[int, dict[str, str]]:
    response = await running.client.post("/graphql", json={"query": query}, headers=headers)
    assert "errors" not in response.json(), response.json()
    return response.status_code, dict(response.headers)


async def test_the_callers_trace_runs_through_the_operation_to_the_erp(
    running: Running, spans: Spans
) -> None:
    seen_before = len(running.sap.traceparents)
    status, _ = await _post(running, QUERY, traceparent=TRACEPARENT)
    assert status == 200

    trace = spans.of_trace(int(CALLER_TRACE, 16))
    by_name = {s.name: s for s in trace}
    server = by_name["POST /graphql"]
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == CALLER_SPAN
    operation = by_name["query TopCustomers"]
    assert operation.parent is not None
    assert operation.parent.span_id == server.context.span_id
    erp_calls = [s for s in trace if s.name.startswith("erp ")]
    assert erp_calls, [s.name for s in trace]
    assert all(s.attributes and s.attributes["erp.connection"] == "EU01" for s in erp_calls)

    # What SAP received continues the same trace, from one of the gateway's ERP call spans.
    sent = running.sap.traceparents[seen_before:]
    assert sent
    erp_span_ids = {format(s.context.span_id, "016x") for s in erp_calls}
    for header in sent:
        version, trace_id, parent_id, _flags = header.split("-")
        assert (version, trace_id) == ("00", CALLER_TRACE)
        assert parent_id in erp_span_ids


async def test_an_order_is_one_trace_from_the_mutation_through_the_flow(
    running: Running, spans: Spans
) -> None:
    await _post(running, PLACE, traceparent=TRACEPARENT)

    trace = spans.of_trace(int(CALLER_TRACE, 16))
    by_id = {s.context.span_id: s for s in trace}
    [flow] = [s for s in trace if s.name == "order_to_invoice.place_order"]
    assert flow.parent is not None
    assert by_id[flow.parent.span_id].name == "mutation Place"
    creates = [s for s in trace if s.name == "erp create_sales_order"]
    assert creates
    # The ERP call is inside the flow's span.
    ancestor = by_id[creates[0].parent.span_id] if creates[0].parent else None
    while ancestor is not None and ancestor is not flow:
        ancestor = by_id[ancestor.parent.span_id] if ancestor.parent else None
    assert ancestor is flow


async def test_without_a_traceparent_each_request_is_a_trace_of_its_own(
    running: Running, spans: Spans
) -> None:
    await _post(running, QUERY)
    await _post(running, QUERY)

    servers = spans.named("POST /graphql")
    assert len(servers) == 2
    assert all(s.parent is None for s in servers)
    assert servers[0].context.trace_id != servers[1].context.trace_id


async def test_a_request_id_is_echoed_or_made(running: Running) -> None:
    _, given = await _post(running, QUERY, **{"X-Request-ID": "checkout-42.a"})
    assert given["x-request-id"] == "checkout-42.a"

    _, made = await _post(running, QUERY)
    assert re.fullmatch(r"[0-9a-f]{32}", made["x-request-id"])

    # Not a plain token (spaces, too long): replaced rather than repeated into logs.
    _, odd = await _post(running, QUERY, **{"X-Request-ID": "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", odd["x-request-id"])


async def test_a_refused_request_carries_its_request_id_too(running: Running) -> None:
    response = await running.client.post(
        "/graphql",
        json={"query": QUERY},
        headers={"Authorization": "Bearer not-a-token", "X-Request-ID": "refused-1"},
    )
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "refused-1"


REGISTER = """mutation R($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { subscription { id } errors { code } } }"""


async def test_the_webhook_for_an_order_continues_the_callers_trace(
    running: Running, spans: Spans
) -> None:
    with serving(Receiver()) as receiver:
        url = receiver.script("orders")
        registered = await running.gql(REGISTER, {"input": {"url": url}})
        assert registered["data"]["registerWebhook"]["errors"] == []
        await _post(running, PLACE, traceparent=TRACEPARENT)

        def deliveries() -> dict[str, ReadableSpan]:
            trace = spans.of_trace(int(CALLER_TRACE, 16))
            return {
                format(s.context.span_id, "016x"): s for s in trace if s.name == "webhook delivery"
            }

        def parents() -> list[str]:
            return [r.headers["traceparent"].split("-")[2] for r in receiver.at("orders")]

        # A delivery's span ends after its receiver has the request: wait for both. The order
        # may cause more than one event, each delivered in the same trace.
        deadline = asyncio.get_running_loop().time() + 20
        while not parents() or not set(parents()) <= set(deliveries()):
            assert asyncio.get_running_loop().time() < deadline, "no traced delivery arrived"
            await asyncio.sleep(0.05)

    server = spans.named("POST /graphql")[-1]
    for request in receiver.at("orders"):
        _version, trace_id, parent_id, _flags = request.headers["traceparent"].split("-")
        assert trace_id == CALLER_TRACE
        delivery = deliveries()[parent_id]
        # Its parent is the caller's request: the delivery belongs to the order's trace.
        assert delivery.parent is not None
        assert delivery.parent.trace_id == server.context.trace_id
