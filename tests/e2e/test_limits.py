"""Abuse limits of POST /graphql: each refuses before the ERP is asked, with a clear error.

Every refused request is checked against the embedded SAP sandbox's request count: nothing
reached the ERP. A request just under each limit runs and does reach it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.limits.extension import count_tokens
from experience_api.settings import Settings
from tests.e2e.conftest import Running

ACCEPT = {"Accept": "application/graphql-response+json, application/json"}
LIMITS = {
    "max_depth": 4,
    "max_aliases": 3,
    "max_tokens": 40,
    "max_cost": 200,
    "max_batch_operations": 2,
    "max_request_bytes": 2048,
}


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Running]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Running(client=client, gateway=app.state.gateway)


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Running]:
    # Without the response cache, every query that runs reaches SAP, which ``runs`` checks.
    connection = {"name": "EU01", "cache": {"enabled": False}}
    settings = Settings(data_dir=tmp_path, graphql=LIMITS, connections=[connection])
    async with serve(settings) as running:
        yield running


async def post(
    running: Running, body: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await running.client.post("/graphql", json=body, headers={**ACCEPT, **(headers or {})})


async def refused(running: Running, body: Any) -> tuple[int, list[dict[str, Any]]]:
    """Status and errors of a request that must not reach the ERP."""
    before = running.sap.request_count
    response = await post(running, body)
    assert running.sap.request_count == before, "a refused request reached the ERP"
    payload = response.json()
    assert "data" not in payload
    return response.status_code, payload["errors"]


async def runs(running: Running, body: Any) -> dict[str, Any]:
    """The data of a request that must run and read from the ERP."""
    before = running.sap.request_count
    response = await post(running, body)
    payload: dict[str, Any] = response.json()
    assert response.status_code == 200, payload
    assert "errors" not in payload, payload
    assert running.sap.request_count > before
    data: dict[str, Any] = payload["data"]
    return data


# (code, query just under the limit, query just over it, actual value over it)
CASES = [
    (
        "QUERY_TOO_DEEP",
        "{ customers(first: 1) { nodes { address { city } } } }",
        "{ salesOrders(first: 1) { nodes { customer { address { city } } } } }",
        5,
    ),
    (
        "TOO_MANY_ALIASES",
        "{ customers(first: 1) { nodes { a: name b: name c: name } } }",
        "{ customers(first: 1) { nodes { a: name b: name c: name d: name } } }",
        4,
    ),
    (
        "QUERY_TOO_COSTLY",
        "{ customers(first: 99) { nodes { address { city } } } }",
        "{ customers(first: 100) { nodes { address { city } source { erp } } } }",
        1 + 1 + 100 * 2,
    ),
]


@pytest.mark.parametrize(("code", "under", "over", "actual"), CASES, ids=[c[0] for c in CASES])
async def test_each_limit_refuses_before_anything_runs(
    limited: Running, code: str, under: str, over: str, actual: int
) -> None:
    await runs(limited, {"query": under})
    status, [error] = await refused(limited, {"query": over})
    assert status == 400
    assert error["extensions"] == {
        "code": code,
        "limit": {
            "QUERY_TOO_DEEP": 4,
            "TOO_MANY_ALIASES": 3,
            "QUERY_TOO_COSTLY": 200,
        }[code],
        "actual": actual,
    }
    assert str(actual) in error["message"]


async def test_cost_is_priced_with_the_request_variables(limited: Running) -> None:
    query = """query Q($n: Int) {
      customers(first: $n) { nodes { address { city } again: address { city } } } }"""
    await runs(limited, {"query": query, "variables": {"n": 99}})  # 2 + 99 * 2 = 200
    status, [error] = await refused(limited, {"query": query, "variables": {"n": 100}})
    assert status == 400
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "limit": 200, "actual": 202}


async def test_fragments_are_counted_where_they_are_spread(limited: Running) -> None:
    query = """{ customers(first: 1) { nodes { ...Names ...Names } } }
    fragment Names on Customer { a: name b: name }"""
    status, [error] = await refused(limited, {"query": query})
    assert status == 400
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert error["extensions"]["actual"] == 4


async def test_a_document_over_the_token_limit_is_not_parsed(limited: Running) -> None:
    under = "{ customers(first: 2) { nodes { name id nativeId } } }"
    padding = " id" * (LIMITS["max_tokens"] - count_tokens(under, 10_000))
    at_limit = under.replace("nativeId", "nativeId" + padding)
    assert count_tokens(at_limit, 10_000) == LIMITS["max_tokens"]
    await runs(limited, {"query": at_limit})
    status, [error] = await refused(limited, {"query": at_limit.replace("name", "name id")})
    assert status == 400
    assert error["extensions"] == {
        "code": "TOO_MANY_TOKENS",
        "limit": LIMITS["max_tokens"],
        "actual": LIMITS["max_tokens"] + 1,
    }


async def test_a_batch_over_the_limit_is_refused_whole(limited: Running) -> None:
    one = {"query": "{ customers(first: 1) { nodes { name } } }"}
    before = limited.sap.request_count
    response = await post(limited, [one, one])
    assert response.status_code == 200
    assert [len(r["data"]["customers"]["nodes"]) for r in response.json()] == [1, 1]
    assert limited.sap.request_count > before

    status, [error] = await refused(limited, [one, one, one])
    assert status == 400
    assert error["extensions"] == {"code": "BATCH_TOO_LARGE", "limit": 2, "actual": 3}


async def test_each_operation_of_a_batch_is_held_to_the_limits(limited: Running) -> None:
    over = {"query": CASES[0][2]}
    response = await post(limited, [{"query": "{ __typename }"}, over])
    first, second = response.json()
    assert first == {"data": {"__typename": "Query"}}
    assert second["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


async def test_by_default_an_array_gets_a_clear_error(running: Running) -> None:
    status, [error] = await refused(running, [{"query": "{ __typename }"}])
    assert status == 400
    assert error["extensions"]["code"] == "BATCHING_DISABLED"
    assert "one operation per request" in error["message"]


@pytest.mark.parametrize("body", ["5", '"query"', "null", "[1]", "[]"])
async def test_a_body_that_is_no_operation_gets_a_clear_error(limited: Running, body: str) -> None:
    before = limited.sap.request_count
    response = await limited.client.post(
        "/graphql", content=body, headers={**ACCEPT, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST_BODY"
    assert limited.sap.request_count == before


def sized(size: int) -> bytes:
    body = b'{"query": "{ customers(first: 1) { nodes { name } } }", "x": "'
    return body + b"x" * (size - len(body) - 2) + b'"}'


async def test_a_body_over_the_size_limit_gets_413(limited: Running) -> None:
    headers = {**ACCEPT, "Content-Type": "application/json"}
    before = limited.sap.request_count
    ok = await limited.client.post("/graphql", content=sized(2048), headers=headers)
    assert ok.status_code == 200, ok.text
    assert limited.sap.request_count > before

    before = limited.sap.request_count
    response = await limited.client.post("/graphql", content=sized(2049), headers=headers)
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE", "limit": 2048, "actual": 2049}
    assert limited.sap.request_count == before


async def test_a_streamed_body_is_cut_off_at_the_limit(limited: Running) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the body arrives in pieces and is counted as it comes.
        body = sized(5000)
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    before = limited.sap.request_count
    response = await limited.client.post(
        "/graphql", content=chunks(), headers={**ACCEPT, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert error["extensions"]["actual"] == 3000
    assert limited.sap.request_count == before


async def test_suggestions_are_never_given(limited: Running) -> None:
    queries = [
        "{ customerz(first: 1) { nodes { name } } }",
        "{ customers(frist: 1) { nodes { name } } }",
        "{ invoices(first: 1, filter: { statuss: PAID }) { nodes { number } } }",
        "query { salesOrders(first: 1) { nodes { nmber } } }",
    ]
    for query in queries:
        status, errors = await refused(limited, {"query": query})
        assert status == 400
        assert errors
        assert all("Did you mean" not in e["message"] for e in errors), errors


async def test_a_document_too_complex_to_validate_gets_a_code(running: Running) -> None:
    # Within the default token limit, but comparing 1,000 fields of one name pairwise
    # exceeds the work graphql-core allows itself for validation.
    query = "{ customers(first: 1) { nodes { " + "name " * 1000 + "} } }"
    status, [error] = await refused(running, {"query": query})
    assert status == 400
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    assert "too complex" in error["message"]


async def test_a_query_text_sent_again_is_held_to_every_check_again(limited: Running) -> None:
    # The second time a text comes, it is neither lexed, parsed nor validated again; what
    # depends on the request (the variables' page sizes) is still checked every time.
    query = """query Q($n: Int) {
      customers(first: $n) { nodes { address { city } again: address { city } } } }"""
    for _ in range(2):
        await runs(limited, {"query": query, "variables": {"n": 5}})
    status, [error] = await refused(limited, {"query": query, "variables": {"n": 100}})
    assert status == 400
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    # A document that failed is refused each time with the same errors.
    invalid = "{ customers(first: 1) { nodes { nmae } } }"
    answers = [await refused(limited, {"query": invalid}) for _ in range(2)]
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    over = "{ customers(first: 1) { nodes { " + "id " * 40 + "} } }"
    tokens = [await refused(limited, {"query": over}) for _ in range(2)]
    assert tokens[0] == tokens[1]
    assert tokens[0][1][0]["extensions"]["code"] == "TOO_MANY_TOKENS"
