"""The Business Central client on a scripted wire: tokens fetched once and again after a 401,
the page size asked for, and what a lost answer means for reads and writes."""

from __future__ import annotations

import json

import httpx
import pytest

from system_apis.business_central.client import BcClient
from system_apis.business_central.connector import business_central_adapter
from system_apis.business_central.settings import BusinessCentralSettings
from system_apis.contracts import errors

COMPANY = "5d115c9c-44e3-ea11-bb43-000d3a2feca1"


class Wire:
    """Entra ID and BC as a script: counts tokens, records requests, answers the API."""

    def __init__(
        self, *, refuse_first_token: bool = False, lose: str | None = None, lifetime: int = 3599
    ) -> None:
        self.lifetime = lifetime
        self.tokens = 0
        self.requests: list[httpx.Request] = []
        self.refuse_first_token = refuse_first_token
        self.lose = lose

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/v2.0/token"):
            self.tokens += 1
            token = {
                "token_type": "Bearer",
                "expires_in": self.lifetime,
                "access_token": f"t{self.tokens}",
            }
            return httpx.Response(200, json=token)
        self.requests.append(request)
        if self.refuse_first_token and request.headers["authorization"] == "Bearer t1":
            error = {"code": "Authentication_InvalidCredentials", "message": "The token expired"}
            return httpx.Response(401, json={"error": error})
        if self.lose is not None and request.method == self.lose:
            raise httpx.ReadError("connection reset", request=request)
        if request.url.path.endswith("/companies"):
            return httpx.Response(200, json={"value": [{"id": COMPANY, "name": "CRONUS"}]})
        return httpx.Response(200, json={"value": [{"number": "10000"}]})


def client(wire: Wire, page_size: int = 1000) -> BcClient:
    return BcClient(
        api_url="https://api.businesscentral.dynamics.com",
        login_url="https://login.microsoftonline.com",
        tenant="contoso",
        environment="production",
        company="CRONUS",
        client_id="app",
        client_secret="secret",
        transport=httpx.MockTransport(wire),
        page_size=page_size,
    )


async def test_one_token_and_one_company_lookup_serve_many_requests() -> None:
    wire = Wire()
    bc = client(wire, page_size=250)
    try:
        for _ in range(3):
            assert await bc.all("customers") == [{"number": "10000"}]
    finally:
        await bc.aclose()
    assert wire.tokens == 1
    assert [r.url.path.rsplit("/", 1)[-1] for r in wire.requests] == ["companies"] + [
        "customers"
    ] * 3
    assert wire.requests[1].url.path == (
        f"/v2.0/contoso/production/api/v2.0/companies({COMPANY})/customers"
    )
    assert wire.requests[1].headers["prefer"] == "odata.maxpagesize=250"


async def test_a_token_about_to_expire_is_replaced_before_it_is_sent() -> None:
    wire = Wire(lifetime=60)  # inside the refresh margin from the start
    bc = client(wire)
    try:
        await bc.all("customers")
        await bc.all("customers")
    finally:
        await bc.aclose()
    assert wire.tokens == 3
    assert [r.headers["authorization"] for r in wire.requests] == [
        "Bearer t1",
        "Bearer t2",
        "Bearer t3",
    ]


async def test_a_refused_token_is_replaced_once() -> None:
    wire = Wire(refuse_first_token=True)
    bc = client(wire)
    try:
        await bc.all("customers")
    finally:
        await bc.aclose()
    assert wire.tokens == 2
    assert [r.headers["authorization"] for r in wire.requests] == [
        "Bearer t1",
        "Bearer t2",
        "Bearer t2",
    ]


@pytest.mark.parametrize(("method", "expected"), [("GET", errors.Unavailable),
                                                  ("POST", errors.UnknownOutcome)])  # fmt: skip
async def test_a_lost_answer_is_unavailable_for_a_read_and_unknown_for_a_write(
    method: str, expected: type[errors.ErpError]
) -> None:
    wire = Wire()
    bc = client(wire)
    call = bc.all("customers") if method == "GET" else bc.create("salesOrders", {"number": "1"})
    try:
        await bc.company_url()  # the lookup is a read: let it through before losing answers
        wire.lose = method
        with pytest.raises(expected) as lost:
            await call
    finally:
        await bc.aclose()
    assert type(lost.value) is expected


def test_settings_without_a_tenant_are_embedded_and_the_connector_needs_an_endpoint() -> None:
    assert BusinessCentralSettings().embedded
    settings = BusinessCentralSettings(tenant="contoso", client_id="app", password="s")
    assert not settings.embedded
    adapter = business_central_adapter("BC01", settings, None)
    assert adapter.source.connection == "BC01"
    assert adapter.limits.order_reference == 35
    assert json.loads(settings.model_dump_json())["page_size"] == 1000
