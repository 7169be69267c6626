"""TrytonClient on the wire, through httpx.MockTransport and an in-memory trytond endpoint."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from system_apis.contracts.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    NotSupported,
    Throttled,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.tryton import codec
from system_apis.tryton.client import TrytonClient
from tests.unit.tryton.fake_tryton import DATABASE, FakeTryton, RpcError
from tests.unit.tryton.tryton_payloads import MISSING, SALES, error, result

pytestmark = pytest.mark.unit


def make_client(handler: Any) -> TrytonClient:
    return TrytonClient(
        "http://tryton.test",
        DATABASE,
        "gateway",
        "secret",
        transport=httpx.MockTransport(handler),
        connection="T1",
    )


@pytest.fixture
def fake() -> FakeTryton:
    return FakeTryton({"model.sale.sale.search_read": lambda params: result(SALES)})


@pytest.fixture
async def client(fake: FakeTryton) -> AsyncIterator[TrytonClient]:
    client = make_client(fake)
    yield client
    await client.aclose()


async def test_logs_in_then_sends_the_session_header(
    fake: FakeTryton, client: TrytonClient
) -> None:
    await client.search_read("sale.sale", [("id", "=", 4)], ["number"])
    login, preferences, search = fake.requests
    assert codec.decode(login.content)["params"] == ["gateway", {"password": "secret"}, "en"]
    assert "Authorization" not in login.headers
    header = search.headers["Authorization"]
    assert header.startswith("Session ")
    assert base64.b64decode(header.removeprefix("Session ")).decode() == "gateway:1:key-1"
    assert preferences.headers["Authorization"] == header
    assert search.headers["Content-Type"] == "application/json"


async def test_model_calls_carry_domain_paging_fields_and_context(
    fake: FakeTryton, client: TrytonClient
) -> None:
    await client.search_read(
        "sale.sale",
        [("sale_date", ">=", dt.date(2026, 1, 1))],
        ["number", "lines.product.code"],
        offset=20,
        limit=10,
        order=(("sale_date", "DESC"), ("id", "DESC")),
        context={"active_test": False},
    )
    _, params = fake.calls[-1]
    assert params == [
        [["sale_date", ">=", dt.date(2026, 1, 1)]],
        20,
        10,
        [["sale_date", "DESC"], ["id", "DESC"]],
        ["number", "lines.product.code"],
        {"company": 1, "companies": [1], "active_test": False},
    ]
    assert fake.count("model.res.user.get_preferences") == 1


async def test_answers_are_decoded(client: TrytonClient) -> None:
    (row,) = await client.search_read("sale.sale", [], ["untaxed_amount", "sale_date"])
    assert row["untaxed_amount"] == Decimal("40.00")
    assert row["sale_date"] == dt.date(2026, 11, 23)
    assert row["lines."][0]["amount"] == Decimal("26.00")


async def test_decimals_are_sent_as_trytond_reads_them(fake: FakeTryton) -> None:
    fake.handlers["model.sale.line.write"] = lambda params: None
    client = make_client(fake)
    await client.write("sale.line", [3], {"unit_price": Decimal("9.50")})
    await client.aclose()
    assert b'{"__class__":"Decimal","decimal":"9.50"}' in fake.requests[-1].content


async def test_buttons_create_and_on_change(fake: FakeTryton, client: TrytonClient) -> None:
    fake.handlers.update(
        {
            "model.sale.sale.quote": lambda params: None,
            "model.sale.sale.create": lambda params: [7],
            "model.sale.sale.on_change": lambda params: {"currency": 1},
        }
    )
    assert await client.create("sale.sale", [{"party": 2}]) == [7]
    assert await client.button("sale.sale", "quote", [7]) is None
    assert await client.on_change("sale.sale", {"party": 2}, ["party"]) == {"currency": 1}
    assert fake.calls[-2] == ("model.sale.sale.quote", [[7], {"company": 1, "companies": [1]}])


@pytest.mark.parametrize(
    ("rpc_error", "expected"),
    [
        (error(MISSING), NotFound),
        (["UserError", ["The value is not valid.", "", None]], ValidationRejected),
        (["UserWarning", ["w1", "Are you sure?", ""]], ValidationRejected),
        (["ConcurrencyException", "modified meanwhile"], Conflict),
        (["'no.model'", ""], Unavailable),
    ],
)
async def test_errors_in_200_answers(
    fake: FakeTryton, client: TrytonClient, rpc_error: Any, expected: type[Exception]
) -> None:
    def fail(params: list[Any]) -> Any:
        raise RpcError(rpc_error)

    fake.handlers["model.party.party.read"] = fail
    with pytest.raises(expected) as caught:
        await client.read("party.party", [9999], ["name"])
    assert type(caught.value) is expected
    assert caught.value.connection == "T1"


async def test_expired_session_logs_in_again_and_retries_once(
    fake: FakeTryton, client: TrytonClient
) -> None:
    await client.search_read("sale.sale", [], ["number"])
    fake.expire_sessions()
    rows = await client.search_read("sale.sale", [], ["number"])
    assert rows
    assert fake.logins == 2
    assert fake.count("model.sale.sale.search_read") == 2
    refused, login, retried = fake.requests[-3:]
    assert refused.headers["Authorization"] != retried.headers["Authorization"]
    assert codec.decode(login.content)["method"] == "common.db.login"


async def test_a_write_is_retried_after_401_because_trytond_ran_nothing(
    fake: FakeTryton, client: TrytonClient
) -> None:
    fake.handlers["model.sale.sale.confirm"] = lambda params: None
    await client.context()
    fake.expire_sessions()
    await client.button("sale.sale", "confirm", [4])
    assert fake.count("model.sale.sale.confirm") == 1
    assert fake.logins == 2


async def test_a_session_refused_twice_is_not_retried_forever(fake: FakeTryton) -> None:
    answers = 0

    def always_401(request: httpx.Request) -> httpx.Response:
        nonlocal answers
        if codec.decode(request.content)["method"] == "common.db.login":
            return fake(request)
        answers += 1
        return httpx.Response(401)

    client = make_client(always_401)
    with pytest.raises(AuthenticationFailed, match="fresh"):
        await client.call("model.sale.sale.search_count", [[], {}])
    await client.aclose()
    assert answers == 2
    assert fake.logins == 2


async def test_concurrent_calls_share_one_new_login(fake: FakeTryton, client: TrytonClient) -> None:
    await client.context()
    fake.expire_sessions()
    await asyncio.gather(*(client.search_read("sale.sale", [], ["number"]) for _ in range(5)))
    assert fake.logins == 2


async def test_refused_login(fake: FakeTryton) -> None:
    fake.password = "other"
    client = make_client(fake)
    with pytest.raises(AuthenticationFailed, match="login"):
        await client.search_read("sale.sale", [], ["number"])
    await client.aclose()


async def test_rate_limited_login_is_throttled() -> None:
    client = make_client(lambda request: httpx.Response(429, headers={"Retry-After": "3"}))
    with pytest.raises(Throttled) as caught:
        await client.login()
    await client.aclose()
    assert caught.value.retry_after == 3.0


async def test_method_not_exposed_is_not_supported(client: TrytonClient) -> None:
    with pytest.raises(NotSupported):
        await client.call("model.sale.sale.secret", [[1], {}])


@pytest.mark.parametrize(
    ("exception", "write", "expected"),
    [
        (httpx.ReadTimeout("lost"), True, UnknownOutcome),
        (httpx.RemoteProtocolError("closed"), True, UnknownOutcome),
        (httpx.ReadError("reset"), True, UnknownOutcome),
        (httpx.ConnectError("refused"), True, Unavailable),
        (httpx.ConnectTimeout("slow"), True, Unavailable),
        (httpx.ReadTimeout("lost"), False, Unavailable),
    ],
)
async def test_transport_failures(
    fake: FakeTryton, exception: Exception, write: bool, expected: type[Exception]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        method = codec.decode(request.content)["method"]
        if method.endswith(("post", "search_count")):
            raise exception
        return fake(request)

    client = make_client(handler)
    method = "model.account.invoice.post" if write else "model.account.invoice.search_count"
    with pytest.raises(expected) as caught:
        await client.call(method, [[1], {}])
    await client.aclose()
    assert type(caught.value) is expected
    assert isinstance(caught.value.__cause__, httpx.HTTPError)


async def test_lost_answer_of_a_button_is_unknown_outcome(fake: FakeTryton) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if codec.decode(request.content)["method"] == "model.stock.shipment.out.do":
            raise httpx.ReadTimeout("no answer")
        return fake(request)

    client = make_client(handler)
    with pytest.raises(UnknownOutcome, match="may have happened"):
        await client.button("stock.shipment.out", "do", [3])
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "expected"), [(503, Unavailable), (504, UnknownOutcome), (429, Throttled)]
)
async def test_statuses_of_a_write(
    fake: FakeTryton, client: TrytonClient, status: int, expected: type[Exception]
) -> None:
    fake.handlers["model.sale.sale.create"] = lambda params: httpx.Response(status)
    with pytest.raises(expected):
        await client.create("sale.sale", [{"party": 2}])


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"id": 1}'])
async def test_unreadable_answers(fake: FakeTryton, client: TrytonClient, body: bytes) -> None:
    fake.handlers["model.sale.sale.search_count"] = lambda params: httpx.Response(200, content=body)
    fake.handlers["model.sale.sale.confirm"] = lambda params: httpx.Response(200, content=body)
    with pytest.raises(Unavailable) as read:
        await client.search_count("sale.sale", [])
    assert type(read.value) is Unavailable
    with pytest.raises(UnknownOutcome):
        await client.button("sale.sale", "confirm", [4])


async def test_unexpected_result_shapes(fake: FakeTryton, client: TrytonClient) -> None:
    fake.handlers["model.sale.sale.search_count"] = lambda params: "many"
    fake.handlers["model.sale.sale.read"] = lambda params: {"id": 1}
    with pytest.raises(Unavailable):
        await client.search_count("sale.sale", [])
    with pytest.raises(Unavailable):
        await client.read("sale.sale", [1], ["number"])


async def test_logout_ends_the_session_and_the_next_call_logs_in(
    fake: FakeTryton, client: TrytonClient
) -> None:
    fake.handlers["common.db.logout"] = lambda params: fake.expire_sessions()
    await client.context()
    await client.logout()
    await client.search_read("sale.sale", [], ["number"])
    assert fake.logins == 2
    assert fake.count("common.db.logout") == 1
