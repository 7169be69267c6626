"""SapSession builds request URLs without re-parsing the ones already in httpx's canonical
form; every URL is the one httpx's own parser makes of it, and anything else still goes
through that parser and its checks."""

from __future__ import annotations

import httpx
import pytest

from system_apis.contracts.errors import ValidationRejected
from system_apis.sap.odata import eq, one_of
from system_apis.sap.session import SapSession, _plain

BASE = httpx.URL("https://s4.example.com:44300/")

TARGETS = [
    "/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder?$format=json",
    "/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder('4711')?$select=A,B&sap-client=100",
    "/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product?$filter=(Product%20eq%20'TG30'%20or%20"
    "Product%20eq%20'TG31')&$top=50&$skip=0&$inlinecount=allpages",
    "/sap/opu/odata4/sap/api/srvd_a2x/sap/billingdocument/0001/BillingDocument?",
    "/plain/path",
    "/a/b;c=d/e:f@g!h$i&j'k(l)m*n+o,p=q~r_s.t-u",
    "/sap/x%41?q=%7e%7E",
    # Not canonical: httpx quotes, checks or normalises these, so they take its parser.
    "/sap/x?$filter=Name eq 'a b'",
    "/sap/x?$filter=Name%20eq%20'100%'",
    "/sap/x?$filter=Name%2",
    "/sap/x?q=a#frag",
    "/sap/./x?q=1",
    "/sap/../x?q=1",
    "/sap/x/..",
    '/sap/x?q="quoted"',
    "/sap/x?q=[1]",
    "/sap/x?q={1}|`^\\",
    "/sap/[x]/y",
    "//other-host/x",
]


@pytest.mark.parametrize("target", TARGETS)
def test_a_url_is_the_one_httpx_parses(target: str) -> None:
    built = _plain(BASE, target)
    try:
        parsed = BASE.copy_with(raw_path=target.encode("ascii"))
    except httpx.InvalidURL:
        assert built is None
        return
    if built is not None:
        assert built == parsed
        assert built.raw_path == parsed.raw_path
        assert str(built) == str(parsed)
        assert (built.scheme, built.host, built.port) == ("https", "s4.example.com", 44300)


def test_the_usual_urls_take_the_short_path_and_the_others_do_not() -> None:
    short = [t for t in TARGETS if _plain(BASE, t) is not None]
    assert short == TARGETS[:7]


@pytest.mark.parametrize("bad", ["/sap/x?q=a\r\nHost: evil", "/sap/x?q=\x00", "/sap/\tx"])
def test_control_characters_are_never_let_through(bad: str) -> None:
    assert _plain(BASE, bad) is None
    with pytest.raises(httpx.InvalidURL):
        BASE.copy_with(raw_path=bad.encode("ascii"))


async def test_requests_carry_the_urls_httpx_would_build() -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"d": {"results": []}})

    session = SapSession(
        "https://s4.example.com:44300",
        auth=None,
        sap_client="100",
        timeout=5,
        transport=httpx.MockTransport(answer),
        connection="EU01",
        service_path="/sap/opu/odata/sap",
        language=None,
    )
    condition = one_of("Product", ["TG30", "TG 31", "100%", "a'b"]) & eq("Plant", "1010")
    query = [("$filter", str(condition)), ("$top", "50")]
    async with session._http:
        await session.send("GET", "API_PRODUCT_SRV", "A_Product", query)
        with pytest.raises(ValidationRejected):
            await session.send("GET", "API_PRODUCT_SRV", "A_Product\r\nX: y", [])
    expected = httpx.URL("https://s4.example.com:44300/").join(
        session._url("API_PRODUCT_SRV", "A_Product", [*query, ("$format", "json")])
    )
    assert seen == [expected]
    assert seen[0].raw_path == expected.raw_path
