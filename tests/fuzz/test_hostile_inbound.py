"""POST /webhooks/inbound/{source} under hostile bodies, signed by the source so they get as
far as the JSON reader and the event validation: never a 5xx, never a traceback, every
refusal a 4xx with the endpoint's error body, and nothing refused is stored or reaches the
ERP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.fuzz.conftest import SOURCE, Gateway
from tests.fuzz.hostile import BODIES, HAND_PICKED, HUGE_INTEGERS, JSON_VALUES, ODD_TEXT

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

URL = f"/webhooks/inbound/{SOURCE}"
READER_CODES = {"JSON_TOO_DEEP", "NUMBER_TOO_LARGE", "UNSUPPORTED_CHARACTER", "BAD_REQUEST_BODY"}
EVENT_TYPES = st.one_of(
    st.sampled_from(["wms.goods_received", "wms.goods_issued", "invoice.paid"]), ODD_TEXT
)
ENVELOPES = st.fixed_dictionaries(
    {
        "type": EVENT_TYPES,
        "data": st.one_of(
            st.fixed_dictionaries(
                {
                    "sku": st.one_of(ODD_TEXT, JSON_VALUES),
                    "quantity": st.one_of(HUGE_INTEGERS, ODD_TEXT, st.floats()),
                    "location": st.one_of(ODD_TEXT, JSON_VALUES),
                }
            ),
            JSON_VALUES,
        ),
    }
)
INBOUND_BODIES = st.one_of(
    ENVELOPES.map(lambda e: json.dumps(e).encode("utf-8", "surrogatepass")), BODIES
)


async def stored_events(gateway: Gateway) -> int:
    async with gateway.app.state.gateway.engine.connect() as conn:
        count: int = (await conn.execute(text("SELECT count(*) FROM inbound_events"))).scalar_one()
        return count


async def deliver(gateway: Gateway, body: bytes, *, signed: bool = True) -> httpx.Response:
    headers = {"Content-Type": "application/json", **(gateway.sign(body) if signed else {})}
    before = (gateway.erp_requests, await stored_events(gateway))
    response = await gateway.client.post(URL, content=body, headers=headers)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    answer: dict[str, Any] = response.json()
    if response.status_code >= 400:
        assert set(answer) <= {"error", "message", "field"}, answer
        assert isinstance(answer["error"], str), answer
        assert isinstance(answer["message"], str), answer
        assert (gateway.erp_requests, await stored_events(gateway)) == before, body[:300]
    assert not gateway.tracebacks(), gateway.tracebacks()
    return response


@pytest.mark.parametrize(
    "case",
    [c for c in HAND_PICKED if c.code in READER_CODES],
    ids=[c.name for c in HAND_PICKED if c.code in READER_CODES],
)
async def test_a_hostile_signed_body_is_an_invalid_event(gateway: Gateway, case: Any) -> None:
    response = await deliver(gateway, case.body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "INVALID_EVENT"
    assert response.json()["message"].startswith("body")


async def test_a_hostile_unsigned_body_is_refused_before_it_is_read(gateway: Gateway) -> None:
    for case in HAND_PICKED:
        response = await deliver(gateway, case.body, signed=False)
        expected = 413 if case.code == "REQUEST_TOO_LARGE" and len(case.body) > 256 * 1024 else 401
        assert response.status_code in {expected, 400}, (case.name, response.text)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=INBOUND_BODIES)
async def test_generated_hostile_events_never_fail_the_server(
    gateway: Gateway, body: bytes
) -> None:
    await deliver(gateway, body)
