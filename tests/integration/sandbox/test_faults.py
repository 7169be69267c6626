"""Fault injection of the SAP sandbox, in-process through ``httpx.ASGITransport``.

Every kind is checked for what the client sees and for what it did (or did not do) to the
data; then scopes, seeded probabilities and counters.
The admin endpoints and plan parsing are in :mod:`tests.integration.sandbox.test_faults_admin`,
faults over real HTTP in :mod:`tests.integration.sandbox.test_faults_http`.
"""

from __future__ import annotations

import json
import random
import time

import httpx
import pytest

from erp_sandbox.faults import Fault, FaultPlan
from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.support import DELIVERY, SO, order_body, sap_error

ORDERS = f"{SO}/A_SalesOrder"


async def _order(writer: httpx.AsyncClient, reference: str = "GW-FAULT") -> httpx.Response:
    body = order_body(TG11="1")
    body["PurchaseOrderByCustomer"] = reference
    return await writer.post(ORDERS, json=body)


def _references(sandbox: Sandbox) -> list[str]:
    return [str(row["PurchaseOrderByCustomer"]) for row in sandbox.rows("A_SalesOrder")]


async def test_down_answers_503_and_changes_nothing(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("down", retry_after=30),)))
    before, requests = sandbox.count("A_SalesOrder"), sandbox.request_count
    created = await _order(writer)
    assert created.status_code == 503
    assert created.headers["retry-after"] == "30"
    assert created.headers["x-sandbox-fault"] == "down"
    assert sap_error(created)["code"] == "/IWFND/CM_CONSUMER/503"
    fetch = await writer.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})
    assert fetch.status_code == 503
    assert "x-csrf-token" not in fetch.headers
    assert sandbox.count("A_SalesOrder") == before
    assert sandbox.request_count == requests + 2
    assert sandbox.faults.stats()["injected"]["down"] == 2


async def test_down_with_disconnect_is_a_transport_error(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("down", disconnect=True),)))
    before, requests = sandbox.count("A_SalesOrder"), sandbox.request_count
    with pytest.raises(httpx.TransportError):
        await _order(writer)
    with pytest.raises(httpx.RemoteProtocolError):
        await writer.get(ORDERS)
    assert sandbox.count("A_SalesOrder") == before
    assert sandbox.request_count == requests + 2


async def test_slow_delays_then_handles(writer: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.set(FaultPlan((Fault("slow", delay_ms=150, count=1),)))
    started = time.monotonic()
    created = await _order(writer)
    assert time.monotonic() - started >= 0.15
    assert created.status_code == 201
    started = time.monotonic()
    assert (await writer.get(f"{ORDERS}?$top=1")).status_code == 200
    assert time.monotonic() - started < 0.15
    assert sandbox.faults.stats()["injected"]["slow"] == 1


async def test_error_burst_fails_the_next_k_requests(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("error_burst", count=3),)))
    before = sandbox.count("A_SalesOrder")
    failed = [await _order(writer) for _ in range(3)]
    assert [response.status_code for response in failed] == [500, 502, 503]
    assert all(sap_error(response) for response in failed)
    assert sandbox.count("A_SalesOrder") == before
    assert (await _order(writer)).status_code == 201
    assert sandbox.count("A_SalesOrder") == before + 1


async def test_error_burst_with_chosen_statuses(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("error_burst", count=2, statuses=(504,)),)))
    statuses = [(await client.get(ORDERS)).status_code for _ in range(3)]
    assert statuses == [504, 504, 200]


async def test_throttle_answers_429_with_retry_after(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("throttle", retry_after=7, count=1),)))
    before = sandbox.count("A_SalesOrder")
    throttled = await _order(writer)
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "7"
    assert sap_error(throttled)["code"] == "/IWFND/CM_CONSUMER/429"
    assert sandbox.count("A_SalesOrder") == before
    assert (await _order(writer)).status_code == 201
    sandbox.faults.set(FaultPlan((Fault("throttle"),)))
    assert (await writer.get(ORDERS)).headers["retry-after"] == "1"


async def test_reset_after_write_commits_once_and_loses_the_answer(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("reset_after_write", count=1),)))
    before, requests = sandbox.count("A_SalesOrder"), sandbox.request_count
    assert (await writer.get(f"{ORDERS}?$top=1")).status_code == 200  # reads never match
    with pytest.raises(httpx.TransportError):
        await _order(writer, "GW-LOST")
    assert sandbox.count("A_SalesOrder") == before + 1
    assert _references(sandbox).count("GW-LOST") == 1
    retried = await _order(writer, "GW-RETRY")
    assert retried.status_code == 201
    lost = next(
        row for row in sandbox.rows("A_SalesOrder") if row["PurchaseOrderByCustomer"] == "GW-LOST"
    )
    assert int(retried.json()["d"]["SalesOrder"]) == int(str(lost["SalesOrder"])) + 1
    assert sandbox.request_count == requests + 3
    assert sandbox.faults.stats()["injected"]["reset_after_write"] == 1


@pytest.mark.parametrize(
    ("body", "media"), [("truncated", "application/json"), ("html", "text/html")]
)
async def test_malformed_answers_200_that_is_not_json(
    writer: httpx.AsyncClient, sandbox: Sandbox, body: str, media: str
) -> None:
    sandbox.faults.set(FaultPlan((Fault("malformed", body=body),)))  # type: ignore[arg-type]
    before = sandbox.count("A_SalesOrder")
    for response in (await writer.get(ORDERS), await _order(writer)):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        with pytest.raises(json.JSONDecodeError):
            response.json()
    assert sandbox.count("A_SalesOrder") == before


async def test_scope_reads_and_writes(writer: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.set(FaultPlan((Fault("error_burst", scope="reads", statuses=(503,)),)))
    assert (await writer.get(ORDERS)).status_code == 503
    assert (await writer.head(ORDERS)).status_code == 503
    assert (await _order(writer)).status_code == 201
    sandbox.faults.set(FaultPlan((Fault("throttle", scope="writes"),)))
    assert (await writer.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})).status_code == 200
    assert (await _order(writer)).status_code == 429
    goods_issue = await writer.post(f"{DELIVERY}/PostGoodsIssue?DeliveryDocument='80000000'")
    assert goods_issue.status_code == 429  # function imports are writes


async def test_scope_path_and_csrf_fetch(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    fault = Fault("down", path="A_SalesOrderItem", csrf_fetch=False)
    sandbox.faults.set(FaultPlan((fault,)))
    assert (await client.get(ORDERS)).status_code == 200
    assert (await client.get(f"{SO}/A_SalesOrderItem")).status_code == 503
    assert (await client.get(f"{ORDERS}?$expand=to_Item")).status_code == 200
    fetch = await client.get(f"{SO}/A_SalesOrderItem", headers={"X-CSRF-Token": "Fetch"})
    assert fetch.status_code == 200
    assert fetch.headers["x-csrf-token"]
    sandbox.faults.set(FaultPlan((Fault("down", path="$expand=to_Item"),)))
    assert (await client.get(f"{ORDERS}?$expand=to_Item")).status_code == 503


async def _statuses(client: httpx.AsyncClient, requests: int) -> list[int]:
    return [(await client.get(f"{ORDERS}?$top=1")).status_code for _ in range(requests)]


async def test_probability_is_deterministic_with_a_seed(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    plan = FaultPlan((Fault("error_burst", probability=0.3, statuses=(500,)),), seed=42)
    sandbox.faults.set(plan)
    first = await _statuses(client, 40)
    draws = random.Random(42)
    assert first == [500 if draws.random() < 0.3 else 200 for _ in range(40)]
    assert 0 < first.count(500) < 40
    sandbox.faults.set(plan)
    assert await _statuses(client, 40) == first
    sandbox.faults.set(FaultPlan(plan.faults, seed=43))
    assert await _statuses(client, 40) != first


async def test_probability_and_count_combined(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.faults.set(FaultPlan((Fault("throttle", probability=0.5, count=3),), seed=1))
    statuses = await _statuses(client, 30)
    draws = random.Random(1)
    expected: list[int] = []
    for _ in range(30):
        fires = expected.count(429) < 3 and draws.random() < 0.5
        expected.append(429 if fires else 200)
    assert statuses == expected
    assert statuses.count(429) == 3
    assert sandbox.faults.stats()["faults"] == [{"kind": "throttle", "injected": 3, "remaining": 0}]


async def test_rules_combine_in_order_and_counters_are_exact(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.faults.set(FaultPlan((Fault("slow", delay_ms=20, scope="writes"),)))
    sandbox.faults.add(Fault("error_burst", count=1, scope="writes", statuses=(502,)))
    sandbox.faults.add(Fault("throttle", count=5))
    requests = sandbox.request_count
    started = time.monotonic()
    assert (await _order(writer)).status_code == 502
    assert time.monotonic() - started >= 0.02
    assert (await _order(writer)).status_code == 429
    assert (await writer.get(ORDERS)).status_code == 429
    assert sandbox.request_count == requests + 3
    stats = sandbox.faults.stats()
    assert stats["requests_seen"] == 3
    assert stats["injected"] == {
        "down": 0,
        "slow": 2,
        "error_burst": 1,
        "throttle": 2,
        "reset_after_write": 0,
        "malformed": 0,
    }
    assert [rule["remaining"] for rule in stats["faults"]] == [None, 0, 3]
    sandbox.faults.clear()
    assert (await writer.get(ORDERS)).status_code == 200
    assert sandbox.faults.stats()["requests_seen"] == 1
    assert sum(sandbox.faults.stats()["injected"].values()) == 0
