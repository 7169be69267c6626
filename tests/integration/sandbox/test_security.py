"""Authentication, CSRF tokens, request counting and the admin endpoints of the SAP sandbox."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.support import SO, fetch_token, order_body, sap_error


async def test_requests_need_basic_auth(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as anonymous:
        response = await anonymous.get(f"{SO}/A_SalesOrder")
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic realm=")
        sap_error(response)
        wrong = await anonymous.get(f"{SO}/$metadata", auth=("GATEWAY", "wrong"))
        assert wrong.status_code == 401


async def test_write_without_token_is_403_required(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{SO}/A_SalesOrder", json=order_body(TG11="1"))
    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"
    assert sap_error(response)["message"]["value"] == "CSRF token validation failed"  # type: ignore[index]


async def test_fetched_token_and_cookie_allow_writes(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    fetched = await client.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})
    token = fetched.headers["x-csrf-token"]
    cookies = fetched.headers.get_list("set-cookie")
    assert any(cookie.startswith("SAP_SESSIONID_S4H_100=") for cookie in cookies)
    again = await client.head(f"{SO}/", headers={"X-CSRF-Token": "fetch"})
    assert again.status_code == 200
    assert again.headers["x-csrf-token"] == token
    response = await client.post(
        f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201, response.text
    assert sandbox.count("A_SalesOrder") == 31


async def test_token_without_its_session_is_refused(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    token = await fetch_token(client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox.test", auth=("GATEWAY", "sandbox")
    ) as other:
        response = await other.post(
            f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": token}
        )
    assert response.status_code == 403
    wrong = await client.post(
        f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": "guess"}
    )
    assert wrong.status_code == 403


async def test_expired_tokens_are_refused_until_fetched_again(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    token = await fetch_token(client)
    sandbox.expire_csrf_tokens()
    response = await client.post(
        f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"
    fresh = await fetch_token(client)
    assert fresh != token
    retried = await client.post(
        f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": fresh}
    )
    assert retried.status_code == 201


async def test_admin_expiry_endpoint(client: httpx.AsyncClient) -> None:
    token = await fetch_token(client)
    assert (await client.post("/sandbox/csrf/expire")).status_code == 200
    response = await client.post(
        f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 403


async def test_csrf_can_be_switched_off(sandbox: Sandbox) -> None:
    from dataclasses import replace

    from erp_sandbox.sap import create_app

    app = create_app(replace(sandbox.settings, csrf_enabled=False))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://sandbox.test",
            auth=("GATEWAY", "sandbox"),
        ) as http:
            response = await http.post(f"{SO}/A_SalesOrder", json=order_body(TG11="1"))
            assert response.status_code == 201
    finally:
        app.state.sandbox.close()


async def test_every_odata_request_is_counted(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    before = sandbox.request_count
    await client.get(f"{SO}/$metadata")
    await fetch_token(client)
    await client.get(f"{SO}/A_SalesOrder('1')")
    await client.get(f"{SO}/A_SalesOrder('nope')")
    await client.get("/sandbox/health")
    assert sandbox.request_count == before + 4


async def test_admin_stats_and_reset(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    await client.get(f"{SO}/A_SalesOrder")
    stats = (await client.get("/sandbox/stats")).json()
    assert stats["request_count"] == sandbox.request_count == 1
    assert stats["entity_sets"]["A_SalesOrder"] == 30
    assert stats["entity_sets"]["A_MatlStkInAcctMod"] == 100
    writer_token = await fetch_token(client)
    await client.post(
        f"{SO}/A_SalesOrder", json=order_body(TG11="1"), headers={"X-CSRF-Token": writer_token}
    )
    assert sandbox.count("A_SalesOrder") == 31
    reset = await client.post("/sandbox/reset")
    assert reset.status_code == 200
    assert reset.json()["entity_sets"]["A_SalesOrder"] == 30
    anonymous = await client.post("/sandbox/reset", auth=("GATEWAY", "wrong"))
    assert anonymous.status_code == 401
    assert (await client.get("/sandbox/health")).json() == {"status": "ok"}
