"""SapODataClient on the wire, through httpx.MockTransport: CSRF, errors, transport failures."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from sap_payloads import SALES_ORDER, SALES_ORDER_ETAG, sap_error

from system_apis.contracts.errors import (
    AuthenticationFailed,
    Conflict,
    ErpError,
    InsufficientStock,
    NotFound,
    Throttled,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.sap.client import SapODataClient
from system_apis.sap.odata import eq, one_of

pytestmark = pytest.mark.unit

SERVICE = "API_SALES_ORDER_SRV"
ROOT_PATH = f"/sap/opu/odata/sap/{SERVICE}/"
COOKIE = "SAP_SESSIONID_S4H_100"

Handler = Callable[[httpx.Request], httpx.Response]


def odata(payload: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"d": payload}, headers=headers)


def error(status: int, body: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body or sap_error("X/000", "failed"), headers=headers)


class FakeSap:
    """Records requests; answers CSRF fetches itself and hands everything else to ``handler``."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler or (lambda request: odata({}))
        self.requests: list[httpx.Request] = []
        self.issued = 0
        self.valid_token: str | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("X-CSRF-Token") == "Fetch":
            self.issued += 1
            self.valid_token = f"token-{self.issued}"
            return httpx.Response(
                200,
                json={"d": {"EntitySets": ["A_SalesOrder"]}},
                headers={
                    "X-CSRF-Token": self.valid_token,
                    "Set-Cookie": f"{COOKIE}=session-{self.issued}; path=/; HttpOnly",
                },
            )
        return self.handler(request)

    @property
    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method != "GET"]

    @property
    def fetches(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.headers.get("X-CSRF-Token") == "Fetch"]


def make_client(fake: FakeSap, **kwargs: Any) -> SapODataClient:
    options: dict[str, Any] = {"username": "GATEWAY", "password": "secret", "connection": "s4"}
    options.update(kwargs)
    return SapODataClient("https://s4.example.com", transport=httpx.MockTransport(fake), **options)


def query_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


# -- reads -----------------------------------------------------------------------------------


async def test_collection_read_sends_query_options_auth_and_sap_client() -> None:
    fake = FakeSap(lambda r: odata({"results": [SALES_ORDER], "__count": "42"}))
    client = make_client(fake, sap_client="100")
    answer = await client.get_collection(
        SERVICE,
        "A_SalesOrder",
        filter=one_of("SalesOrder", ["4711", "4712"]) & eq("SoldToParty", "O'Neill"),
        expand=["to_Item"],
        orderby=["SalesOrder desc"],
        top=20,
        skip=40,
        inlinecount=True,
    )
    await client.aclose()

    assert answer.count == 42
    assert answer.results[0]["SalesOrder"] == "4711"
    request = fake.requests[0]
    assert request.url.path == f"{ROOT_PATH}A_SalesOrder"
    assert query_of(request) == {
        "$filter": "(SalesOrder eq '4711' or SalesOrder eq '4712') and SoldToParty eq 'O''Neill'",
        "$expand": "to_Item",
        "$orderby": "SalesOrder desc",
        "$top": "20",
        "$skip": "40",
        "$inlinecount": "allpages",
        "$format": "json",
        "sap-client": "100",
    }
    assert b"%20" in request.url.query
    assert b"+" not in request.url.query
    expected_auth = "Basic " + base64.b64encode(b"GATEWAY:secret").decode()
    assert request.headers["Authorization"] == expected_auth
    assert request.headers["Accept"] == "application/json"


async def test_entity_read_returns_the_etag_from_header_or_metadata() -> None:
    answers = iter(
        [
            odata(SALES_ORDER, ETag='W/"header"'),
            odata(SALES_ORDER),
        ]
    )
    fake = FakeSap(lambda r: next(answers))
    client = make_client(fake)
    first = await client.get_entity(SERVICE, "A_SalesOrder", "4711", expand=["to_Item"])
    second = await client.get_entity(SERVICE, "A_SalesOrder", "4711")
    await client.aclose()
    assert first.etag == 'W/"header"'
    assert second.etag == SALES_ORDER_ETAG
    assert unquote(fake.requests[0].url.path) == f"{ROOT_PATH}A_SalesOrder('4711')"


async def test_get_all_follows_server_side_paging() -> None:
    next_link = f"https://s4.example.com{ROOT_PATH}A_SalesOrderItem?$skiptoken=2"
    answers = iter(
        [
            odata({"results": [{"SalesOrder": "1"}, {"SalesOrder": "2"}], "__next": next_link}),
            odata({"results": [{"SalesOrder": "3"}]}),
        ]
    )
    fake = FakeSap(lambda r: next(answers))
    client = make_client(fake)
    rows = await client.get_all(SERVICE, "A_SalesOrderItem", select=["SalesOrder"])
    await client.aclose()
    assert [row["SalesOrder"] for row in rows] == ["1", "2", "3"]
    assert str(fake.requests[1].url) == next_link


async def test_reads_need_no_csrf_token() -> None:
    fake = FakeSap(lambda r: odata({"results": []}))
    client = make_client(fake)
    await client.get_collection(SERVICE, "A_SalesOrder")
    await client.aclose()
    assert fake.fetches == []


# -- CSRF ------------------------------------------------------------------------------------


async def test_first_write_fetches_a_token_and_sends_it_with_the_session_cookie() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return odata({"SalesOrder": "4711"}, status=201)

    fake = FakeSap(handler)
    client = make_client(fake, sap_client="100")
    first = await client.create(SERVICE, "A_SalesOrder", {"SoldToParty": "17100001"})
    await client.create(SERVICE, "A_SalesOrder", {"SoldToParty": "17100002"})
    await client.aclose()

    assert first.data == {"SalesOrder": "4711"}
    fetch, post, again = fake.requests
    assert fetch.method == "GET"
    assert fetch.url.path == ROOT_PATH
    assert query_of(fetch) == {"sap-client": "100"}
    for write in (post, again):
        assert write.method == "POST"
        assert write.url.path == f"{ROOT_PATH}A_SalesOrder"
        assert write.headers["X-CSRF-Token"] == "token-1"
        assert f"{COOKIE}=session-1" in write.headers["Cookie"]
        assert write.headers["Content-Type"] == "application/json"
    assert json.loads(post.content) == {"SoldToParty": "17100001"}


async def test_tokens_are_kept_per_service_root() -> None:
    fake = FakeSap(lambda r: odata({}, status=201))
    client = make_client(fake)
    await client.create(SERVICE, "A_SalesOrder", {})
    await client.create("API_OUTBOUND_DELIVERY_SRV;v=0002", "A_OutbDeliveryHeader", {})
    await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()
    assert [r.url.path for r in fake.fetches] == [
        ROOT_PATH,
        "/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002/",
    ]
    assert [w.headers["X-CSRF-Token"] for w in fake.writes] == ["token-1", "token-2", "token-1"]


async def test_expired_token_is_fetched_again_and_the_write_retried_once() -> None:
    fake = FakeSap()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-CSRF-Token") != fake.valid_token:
            return error(
                403,
                sap_error("/IWFND/CM_BEC/026", "CSRF token validation failed"),
                **{"X-CSRF-Token": "Required"},
            )
        return odata({"SalesOrder": "4711"}, status=201)

    fake.handler = handler
    client = make_client(fake)
    await client.create(SERVICE, "A_SalesOrder", {})
    fake.valid_token = "rotated-by-the-server"
    created = await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()

    assert created.data["SalesOrder"] == "4711"
    assert len(fake.fetches) == 2
    assert [w.headers["X-CSRF-Token"] for w in fake.writes] == ["token-1", "token-1", "token-2"]
    assert f"{COOKIE}=session-2" in fake.writes[-1].headers["Cookie"]


async def test_a_token_refused_twice_is_an_authentication_failure() -> None:
    fake = FakeSap(lambda r: error(403, **{"X-CSRF-Token": "Required"}))
    client = make_client(fake)
    with pytest.raises(AuthenticationFailed) as caught:
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()
    assert len(fake.writes) == 2
    assert len(fake.fetches) == 2
    assert caught.value.connection == "s4"


async def test_a_token_fetch_with_bad_credentials_fails_the_write() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return error(401)

    transport = httpx.MockTransport(handler)
    client = SapODataClient("https://s4.example.com", transport=transport, username="x")
    with pytest.raises(AuthenticationFailed):
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()
    assert [r.method for r in requests] == ["GET"]


async def test_function_import_sends_literals_and_if_match() -> None:
    fake = FakeSap(lambda r: odata({"PostGoodsIssue": {"DeliveryDocument": "80000001"}}))
    client = make_client(fake)
    result = await client.call_function(
        "API_OUTBOUND_DELIVERY_SRV;v=0002",
        "PostGoodsIssue",
        {"DeliveryDocument": "8000'0001"},
        if_match='W/"etag"',
    )
    await client.aclose()
    assert result.data == {"DeliveryDocument": "80000001"}
    call = fake.writes[0]
    assert call.method == "POST"
    assert call.url.path.endswith("/PostGoodsIssue")
    assert query_of(call) == {"DeliveryDocument": "'8000''0001'"}
    assert call.headers["If-Match"] == 'W/"etag"'
    assert call.headers["X-CSRF-Token"] == "token-1"


async def test_update_sends_if_match_and_accepts_no_content() -> None:
    fake = FakeSap(lambda r: httpx.Response(204))
    client = make_client(fake)
    result = await client.update(
        SERVICE,
        "A_SalesOrderItem",
        {"SalesOrder": "4711", "SalesOrderItem": "10"},
        {"RequestedQuantity": "3"},
        if_match=SALES_ORDER_ETAG,
    )
    await client.aclose()
    assert result is None
    patch = fake.writes[0]
    assert patch.method == "PATCH"
    assert unquote(patch.url.path).endswith(
        "A_SalesOrderItem(SalesOrder='4711',SalesOrderItem='10')"
    )
    assert patch.headers["If-Match"] == SALES_ORDER_ETAG


# -- SAP error answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected", "code"),
    [
        (
            error(404, sap_error("/IWBEP/CM_MGW_RT/020", "Resource not found for segment")),
            NotFound,
            "/IWBEP/CM_MGW_RT/020",
        ),
        (
            error(400, sap_error("V1/382", "Material XYZ does not exist")),
            ValidationRejected,
            "V1/382",
        ),
        (
            error(
                400,
                sap_error(
                    "M7/021",
                    "Deficit of SL Unrestricted-use 5 PC : TG11 1010 0001",
                    ("M7/021", "Deficit of SL Unrestricted-use 5 PC : TG11 1010 0001"),
                ),
            ),
            InsufficientStock,
            "M7/021",
        ),
        (
            error(
                400,
                sap_error(
                    "VL/000",
                    "Goods issue could not be posted",
                    ("M7/022", "TG11 1010 0001: stock too low"),
                ),
            ),
            InsufficientStock,
            "VL/000",
        ),
        (error(409, sap_error("SY/530", "Already exists")), Conflict, "SY/530"),
        (error(412, sap_error("/IWBEP/CM_MGW_RT/022", "Precondition failed")), Conflict, None),
        (error(428, sap_error("/IWBEP/CM_MGW_RT/139", "Precondition required")), Conflict, None),
        (error(401), AuthenticationFailed, None),
        (
            error(403, sap_error("/IWFND/CM_COS/041", "No authorization")),
            AuthenticationFailed,
            None,
        ),
        (error(500, sap_error("/IWBEP/CM_MGW_RT/001", "Runtime error")), Unavailable, None),
        (error(405), ValidationRejected, None),
    ],
)
async def test_error_answers_map_to_project_errors(
    response: httpx.Response, expected: type[ErpError], code: str | None
) -> None:
    client = make_client(FakeSap(lambda r: response))
    with pytest.raises(expected) as caught:
        await client.call_function(SERVICE, "Anything", {"X": "1"})
    await client.aclose()
    assert type(caught.value) is expected
    assert caught.value.connection == "s4"
    assert caught.value.message
    if code is not None:
        assert caught.value.code == code


async def test_error_message_is_sap_text() -> None:
    body = sap_error("V1/382", "Material XYZ does not exist")
    client = make_client(FakeSap(lambda r: error(400, body)))
    with pytest.raises(ValidationRejected, match="Material XYZ does not exist"):
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()


async def test_sap_message_header_is_read_when_the_body_says_nothing() -> None:
    header = json.dumps(
        {
            "code": "M7/021",
            "message": "Deficit of SL Unrestricted-use 1 PC",
            "severity": "error",
            "details": [],
        }
    )
    response = httpx.Response(400, text="", headers={"sap-message": header})
    client = make_client(FakeSap(lambda r: response))
    with pytest.raises(InsufficientStock) as caught:
        await client.call_function(SERVICE, "PostGoodsIssue", {"DeliveryDocument": "1"})
    await client.aclose()
    assert caught.value.code == "M7/021"


async def test_html_error_page_still_maps_by_status() -> None:
    response = httpx.Response(404, text="<html>Not found</html>")
    client = make_client(FakeSap(lambda r: response))
    with pytest.raises(NotFound, match="404"):
        await client.get_entity(SERVICE, "A_SalesOrder", "1")
    await client.aclose()


async def test_throttling_carries_retry_after() -> None:
    response = error(429, **{"Retry-After": "7"})
    client = make_client(FakeSap(lambda r: response))
    with pytest.raises(Throttled) as caught:
        await client.get_collection(SERVICE, "A_SalesOrder")
    await client.aclose()
    assert caught.value.retry_after == 7.0


async def test_service_unavailable_carries_retry_after() -> None:
    response = error(503, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    client = make_client(FakeSap(lambda r: response))
    with pytest.raises(Unavailable) as caught:
        await client.get_collection(SERVICE, "A_SalesOrder")
    await client.aclose()
    assert type(caught.value) is Unavailable
    assert caught.value.retry_after == 0.0


async def test_gateway_timeout_on_a_write_is_an_unknown_outcome() -> None:
    client = make_client(FakeSap(lambda r: httpx.Response(504, text="Gateway Timeout")))
    with pytest.raises(UnknownOutcome):
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()


# -- transport failures ----------------------------------------------------------------------


def raising(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.ReadError("connection reset"),
        httpx.WriteTimeout("write timed out"),
    ],
)
async def test_write_that_may_have_been_sent_is_an_unknown_outcome(exc: Exception) -> None:
    client = make_client(FakeSap(raising(exc)))
    with pytest.raises(UnknownOutcome) as caught:
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()
    assert caught.value.__cause__ is exc


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect timed out")]
)
async def test_write_that_never_left_is_unavailable(exc: Exception) -> None:
    client = make_client(FakeSap(raising(exc)))
    with pytest.raises(Unavailable) as caught:
        await client.call_function(SERVICE, "PostGoodsIssue", {"DeliveryDocument": "1"})
    await client.aclose()
    assert not isinstance(caught.value, UnknownOutcome)
    assert caught.value.__cause__ is exc


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
async def test_read_failures_are_unavailable(exc: Exception) -> None:
    client = make_client(FakeSap(raising(exc)))
    with pytest.raises(Unavailable) as caught:
        await client.get_collection(SERVICE, "A_SalesOrder")
    await client.aclose()
    assert not isinstance(caught.value, UnknownOutcome)
    assert caught.value.__cause__ is exc


async def test_failing_token_fetch_before_a_write_is_unavailable() -> None:
    transport = httpx.MockTransport(raising(httpx.ReadTimeout("slow")))
    client = SapODataClient("https://s4.example.com", transport=transport)
    with pytest.raises(Unavailable) as caught:
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()
    assert not isinstance(caught.value, UnknownOutcome)


# -- malformed answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>Logon</html>"),
        httpx.Response(200, json={"value": []}),
        httpx.Response(200, json={"d": {"no": "results"}}),
        httpx.Response(200, json={"d": {"results": [], "__count": "many"}}),
        httpx.Response(200, json={"d": {"results": ["not an object"]}}),
    ],
)
async def test_malformed_read_answers_are_unavailable(response: httpx.Response) -> None:
    client = make_client(FakeSap(lambda r: response))
    with pytest.raises(Unavailable, match="SAP answered") as caught:
        await client.get_collection(SERVICE, "A_SalesOrder", inlinecount=True)
    await client.aclose()
    assert not isinstance(caught.value, UnknownOutcome)


async def test_malformed_answer_to_an_accepted_write_is_an_unknown_outcome() -> None:
    client = make_client(FakeSap(lambda r: httpx.Response(201, text="{truncated")))
    with pytest.raises(UnknownOutcome, match="not JSON"):
        await client.create(SERVICE, "A_SalesOrder", {})
    await client.aclose()


async def test_relative_next_links_resolve_against_the_service_root() -> None:
    answers = iter(
        [
            odata({"results": [{"SalesOrder": "1"}], "__next": "A_SalesOrder?$skiptoken=1"}),
            odata({"results": [{"SalesOrder": "2"}]}),
        ]
    )
    fake = FakeSap(lambda r: next(answers))
    client = make_client(fake)
    rows = await client.get_all(SERVICE, "A_SalesOrder")
    await client.aclose()
    assert len(rows) == 2
    assert fake.requests[1].url.path == f"{ROOT_PATH}A_SalesOrder"
    assert query_of(fake.requests[1]) == {"$skiptoken": "1"}


async def test_next_links_to_another_origin_are_not_followed() -> None:
    link = "https://elsewhere.example.com/steal?$skiptoken=1"
    fake = FakeSap(lambda r: odata({"results": [], "__next": link}))
    client = make_client(fake)
    with pytest.raises(Unavailable, match="another origin"):
        await client.get_all(SERVICE, "A_SalesOrder")
    await client.aclose()
    assert len(fake.requests) == 1


async def test_a_v4_action_posts_json_under_the_odata4_path_with_its_own_token() -> None:
    fake = FakeSap(lambda r: httpx.Response(200, json={"value": [{"BillingDocument": "9"}]}))
    client = make_client(fake)
    created = await client.invoke_action(
        "api_billingdocument/srvd_a2x/sap/billingdocument/0001",
        "BillingDocument/SAP__self.CreateFromSDDocument",
        {"_Control": {}, "_Reference": [{"SDDocument": "80000000"}]},
    )
    await client.aclose()
    assert created == [{"BillingDocument": "9"}]
    root = "/sap/opu/odata4/sap/api_billingdocument/srvd_a2x/sap/billingdocument/0001/"
    assert [r.url.path for r in fake.fetches] == [root]
    [write] = fake.writes
    assert write.url.path == root + "BillingDocument/SAP__self.CreateFromSDDocument"
    assert json.loads(write.content)["_Reference"] == [{"SDDocument": "80000000"}]


async def test_a_v4_error_keeps_its_code_and_details() -> None:
    body = {
        "error": {
            "code": "VF/016",
            "message": "No billable items",
            "details": [{"code": "VF/017", "message": "Delivery 80000000 is billed"}],
        }
    }
    client = make_client(FakeSap(lambda r: httpx.Response(400, json=body)))
    with pytest.raises(ValidationRejected, match="No billable items") as caught:
        await client.invoke_action("a/b", "X/SAP__self.Y", {})
    await client.aclose()
    assert caught.value.code == "VF/016"


@pytest.mark.parametrize("service", ["a//b", "a/../b", "a/b?x", "../x"])
async def test_a_service_path_that_leaves_its_root_is_refused(service: str) -> None:
    fake = FakeSap()
    client = make_client(fake)
    with pytest.raises(ValueError, match="service name"):
        await client.invoke_action(service, "X/SAP__self.Y", {})
    await client.aclose()
    assert fake.requests == []
