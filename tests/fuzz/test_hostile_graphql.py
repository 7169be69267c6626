"""POST /graphql under hostile bodies: never a 5xx, never a traceback in the log, every
refusal a GraphQL error body with a 4xx, and nothing of a refused request reaches the ERP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.conftest import Gateway
from tests.fuzz.hostile import ACCEPTS, BODIES, CONTENT_TYPES, HAND_PICKED, Hostile

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

GRAPHQL_RESPONSE = "application/graphql-response+json"
UNEXPECTED = "Unexpected error."


async def post(gateway: Gateway, body: bytes, content_type: str, accept: str) -> httpx.Response:
    headers = {"Content-Type": content_type, "Accept": accept}
    return await gateway.client.post("/graphql", content=body, headers=headers)


def answer_problem(response: httpx.Response, accept: str) -> str | None:
    """Why this is not a clean GraphQL-over-HTTP answer, or None when it is."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    content_type = response.headers.get("content-type", "")
    wanted = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else "application/json"
    if content_type != f"{wanted}; charset=utf-8":
        return f"content type {content_type!r} for Accept {accept!r}"
    try:
        body = json.loads(response.content.decode("utf-8"))
    except ValueError:
        return f"not UTF-8 JSON: {response.content[:200]!r}"
    if not isinstance(body, dict) or not set(body) <= {"data", "errors", "extensions"}:
        return f"not a GraphQL response: {body!r:.300}"
    errors = body.get("errors", [])
    if response.status_code >= 400 and ("data" in body or not errors):
        return f"a refusal must carry errors and no data: {body!r:.300}"
    if response.status_code == 200 and "data" not in body and not errors:
        return f"neither data nor errors: {body!r:.300}"
    if response.status_code == 200 and "data" not in body and wanted == GRAPHQL_RESPONSE:
        return f"a request error must be a 4xx for {GRAPHQL_RESPONSE}: {body!r:.300}"
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            return f"malformed error: {error!r:.300}"
        if error["message"] == UNEXPECTED:
            return f"something failed unexpectedly: {body!r:.300}"
    return None


def refused(response: httpx.Response) -> bool:
    return response.status_code >= 400 or "data" not in response.json()


async def check(gateway: Gateway, body: bytes, content_type: str, accept: str) -> dict[str, Any]:
    before = gateway.erp_requests
    response = await post(gateway, body, content_type, accept)
    problem = answer_problem(response, accept)
    assert problem is None, f"{problem}\nbody: {body[:300]!r} ({content_type!r})"
    if refused(response):
        assert gateway.erp_requests == before, f"a refused request reached the ERP: {body[:300]!r}"
    assert not gateway.tracebacks(), gateway.tracebacks()
    answer: dict[str, Any] = response.json()
    answer["_status"] = response.status_code
    return answer


@pytest.mark.parametrize("case", HAND_PICKED, ids=[case.name for case in HAND_PICKED])
async def test_a_hand_picked_hostile_body_gets_its_request_error(
    gateway: Gateway, case: Hostile
) -> None:
    answer = await check(gateway, case.body, case.content_type, GRAPHQL_RESPONSE)
    if case.code is not None:
        assert 400 <= answer["_status"] < 500
        assert [e["extensions"]["code"] for e in answer["errors"]] == [case.code], answer


async def test_a_request_error_has_no_data_entry_for_application_json_either(
    gateway: Gateway,
) -> None:
    case = next(c for c in HAND_PICKED if c.code == "OPERATION_NAME_REQUIRED")
    answer = await check(gateway, case.body, case.content_type, "application/json")
    assert answer["_status"] == 200
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == "OPERATION_NAME_REQUIRED"


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=BODIES, content_type=CONTENT_TYPES, accept=ACCEPTS)
async def test_generated_hostile_bodies_never_fail_the_server(
    gateway: Gateway, body: bytes, content_type: str, accept: str
) -> None:
    await check(gateway, body, content_type, accept)
