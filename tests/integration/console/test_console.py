"""The operations console over HTTP (httpx against the app, in-process): who may use it,
the CSRF check of its forms, a quarantined order edited, replayed and discarded through
them, and the audit entries of each action."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from experience_api.app import create_app
from experience_api.settings import Settings
from process_apis.persistence.audit_tables import audit_log
from tests.e2e.conftest import Running
from tests.e2e.test_quarantine import (
    ORDER,
    orders_with_reference,
    quarantine_during_outage,
    sap_back,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@asynccontextmanager
async def console(
    settings: Settings, client: tuple[str, int] = ("127.0.0.1", 50000)
) -> AsyncIterator[Running]:
    """The gateway in-process; requests come from ``client`` without a token (on loopback:
    the local developer) unless they carry one."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield Running(client=http, gateway=app.state.gateway, settings=settings)


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None, page.text
    return match.group(1)


async def record_page(running: Running, record_id: str) -> httpx.Response:
    page = await running.client.get(f"/console/quarantine/{record_id}")
    assert page.status_code == 200, page.text
    return page


async def post(
    running: Running, path: str, fields: dict[str, str], **headers: str
) -> httpx.Response:
    return await running.client.post(path, data=fields, headers={**FORM, **headers})


async def stored(running: Running, record_id: str) -> Any:
    return await running.gateway.services.quarantine.get(record_id)


async def audit_entries(running: Running) -> list[Any]:
    log = running.gateway.services.audit
    assert log is not None
    return [entry async for entry in log.entries() if entry.action.startswith("console:")]


async def test_the_overview_shows_each_connection_and_the_open_record(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        page = await running.client.get("/console")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        row = re.search(r"<td>EU01</td>\s*<td><span class=\"badge (\w+)\">", page.text)
        assert row is not None
        assert row.group(1) == "ready"
        assert "1 open</a>" in page.text

        listing = await running.client.get("/console/quarantine")
        assert f'href="/console/quarantine/{record_id}"' in listing.text
        css = await running.client.get("/console/static/console.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")


async def test_webhooks_page_lists_subscriptions_without_their_secret(tmp_path: Path) -> None:
    async with console(Settings(data_dir=tmp_path)) as running:
        admin = running.gateway.services.webhooks
        assert admin is not None
        registered = await admin.register(
            "http://127.0.0.1:9/hook", event_types=["order.placed"], description="billing"
        )
        page = await running.client.get("/console/webhooks")
        assert page.status_code == 200
        assert registered.subscription.id in page.text
        assert "http://127.0.0.1:9/hook" in page.text
        assert "order.placed" in page.text
        assert registered.secret not in page.text
        assert "No deliveries yet." in page.text


async def test_callers_without_the_admin_role_are_refused(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        sales = {"Authorization": f"Bearer {running.token('sales', 'finance')}"}
        for path in ("/console", "/console/quarantine", f"/console/quarantine/{record_id}"):
            page = await running.client.get(path, headers=sales)
            assert page.status_code == 403, path
            assert "administrators" in page.text
        replay = f"/console/quarantine/{record_id}/replay"
        refused = await post(running, replay, {"csrf": csrf}, **sales)
        assert refused.status_code == 403
        assert (await stored(running, record_id)).status.value == "open"
        assert orders_with_reference(running) == []

        # An admin token is let in, as the local developer is.
        admin = {"Authorization": f"Bearer {running.token('admin')}"}
        assert (await running.client.get("/console", headers=admin)).status_code == 200


async def test_a_caller_off_this_machine_signs_in_with_a_token(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    async with console(settings, client=("203.0.113.7", 50000)) as running:
        http = running.client
        # A browser is sent to sign in; anything else gets the API's 401.
        page = await http.get("/console/quarantine", headers={"Accept": "text/html"})
        assert (page.status_code, page.headers["location"]) == (303, "/console/sign-in")
        assert (
            await http.get("/console", headers={"Accept": "application/json"})
        ).status_code == 401
        form = await http.get("/console/sign-in")
        assert form.status_code == 200
        csrf = csrf_of(form)
        assert (await http.get("/console/static/console.css")).status_code == 200

        refused = await post(running, "/console/sign-in", {"csrf": csrf, "token": "not-a-jwt"})
        assert refused.status_code == 401
        sales = running.token("sales")
        refused = await post(running, "/console/sign-in", {"csrf": csrf, "token": sales})
        assert refused.status_code == 403
        assert "console_token" not in http.cookies
        forged = await post(running, "/console/sign-in", {"token": running.token("admin")})
        assert forged.status_code == 403
        assert "console_token" not in http.cookies

        admin = running.token("admin")
        signed = await post(running, "/console/sign-in", {"csrf": csrf, "token": f" {admin}\n"})
        assert (signed.status_code, signed.headers["location"]) == (303, "/console")
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/console" in cookie
        overview = await http.get("/console")
        assert overview.status_code == 200
        assert "Sign out" in overview.text
        # The cookie stands for a token on the console's paths only.
        assert (await running.gql("{ __typename }"))["_status"] == 401

        out = await post(running, "/console/sign-out", {"csrf": csrf})
        assert (out.status_code, out.headers["location"]) == (303, "/console/sign-in")
        assert "console_token" not in http.cookies
        assert (await http.get("/console")).status_code == 303
        # A cookie whose token no longer validates (expired, most often) asks to sign in again.
        http.cookies.set("console_token", "expired.token.value", domain="gateway.test")
        bad = await http.get("/console", headers={"Accept": "application/json"})
        assert 'error="invalid_token"' in bad.headers["www-authenticate"]
        assert (await http.get("/console")).headers["location"] == "/console/sign-in"


async def test_an_admin_of_other_companies_sees_nothing_of_these(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        other = {"Authorization": f"Bearer {running.token('admin', companies=('US01',))}"}
        page = await running.client.get("/console", headers=other)
        assert page.status_code == 200
        assert "<td>EU01</td>" not in page.text
        assert "0 open</a>" in page.text
        listing = await running.client.get("/console/quarantine?status=", headers=other)
        assert record_id not in listing.text
        shown = await running.client.get(f"/console/quarantine/{record_id}", headers=other)
        assert shown.status_code == 404
        replay = f"/console/quarantine/{record_id}/replay"
        assert (await post(running, replay, {"csrf": csrf}, **other)).status_code == 404
        assert (await stored(running, record_id)).status.value == "open"
        for spanning in ("/console/webhooks", "/console/audit"):
            assert (await running.client.get(spanning, headers=other)).status_code == 403


async def test_forms_without_the_csrf_token_change_nothing(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        replay = f"/console/quarantine/{record_id}/replay"
        for fields, headers in [
            ({}, {}),
            ({"csrf": "x" * 43}, {}),
            ({"csrf": csrf}, {"Origin": "https://evil.example"}),
            ({"csrf": csrf}, {"Origin": "null"}),
        ]:
            refused = await post(running, replay, fields, **headers)
            assert refused.status_code == 403, (fields, headers)
            assert "security token" in refused.text or "another site" in refused.text
        # The cookie must come with the field: a field alone is not enough.
        running.client.cookies.clear()
        assert (await post(running, replay, {"csrf": csrf})).status_code == 403
        # A post as JSON is no form.
        as_json = await running.client.post(replay, json={"csrf": csrf})
        assert as_json.status_code == 415
        assert (await stored(running, record_id)).status.value == "open"
        assert orders_with_reference(running) == []


async def test_an_edit_is_validated_and_a_bad_one_changes_nothing(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        before = dict((await stored(running, record_id)).payload)
        edit = f"/console/quarantine/{record_id}/edit"

        not_json = await post(running, edit, {"csrf": csrf, "payload": "{lines: oops"})
        assert not_json.status_code == 400
        assert "not JSON" in not_json.text
        assert "Nothing was changed" in not_json.text
        assert "{lines: oops" in not_json.text  # the text is kept for correcting

        no_lines = {**before, "lines": []}
        invalid = await post(running, edit, {"csrf": csrf, "payload": json.dumps(no_lines)})
        assert invalid.status_code == 400
        assert "lines" in invalid.text
        assert "Nothing was changed" in invalid.text
        other_key = {**before, "idempotency_key": "another-key"}
        moved = await post(running, edit, {"csrf": csrf, "payload": json.dumps(other_key)})
        assert moved.status_code == 400
        assert dict((await stored(running, record_id)).payload) == before

        two = [{**before["lines"][0], "quantity": "2"}]
        saved = await post(
            running, edit, {"csrf": csrf, "payload": json.dumps({**before, "lines": two})}
        )
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/console/quarantine/{record_id}?done=edited"
        assert (await stored(running, record_id)).payload["lines"][0]["quantity"] == "2"

        entries = await audit_entries(running)
        assert [(e.action, e.outcome.value) for e in entries] == [
            ("console:editQuarantinedRecord", "rejected"),
            ("console:editQuarantinedRecord", "rejected"),
            ("console:editQuarantinedRecord", "rejected"),
            ("console:editQuarantinedRecord", "ok"),
        ]
        assert {e.actor for e in entries} == {"local-developer"}
        assert {e.record for e in entries} == {record_id}


async def test_replay_places_the_order_once_and_is_audited(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        replay = f"/console/quarantine/{record_id}/replay"
        done = await post(running, replay, {"csrf": csrf})
        assert done.status_code == 303
        page = await running.client.get(done.headers["location"])
        assert "Replayed" in page.text
        record = await stored(running, record_id)
        assert record.status.value == "replayed"
        assert record.resolved_by == "console:local-developer"
        assert f'<code id="result">{record.resolution_result}</code>' in page.text
        assert len(orders_with_reference(running)) == 1

        again = await post(running, replay, {"csrf": csrf})
        assert again.status_code == 409
        assert len(orders_with_reference(running)) == 1

        [ok, refused] = await audit_entries(running)
        assert (ok.action, ok.outcome.value, ok.record) == (
            "console:replayQuarantinedRecord",
            "ok",
            record_id,
        )
        assert (refused.outcome.value, refused.details["errors"]) == ("rejected", ["INVALID_STATE"])


async def test_discard_needs_a_note_and_keeps_it(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        discard = f"/console/quarantine/{record_id}/discard"
        blank = await post(running, discard, {"csrf": csrf, "note": "  "})
        assert blank.status_code == 400
        assert (await stored(running, record_id)).status.value == "open"

        note = "customer cancelled <by phone>"
        done = await post(running, discard, {"csrf": csrf, "note": note})
        assert done.status_code == 303
        page = await running.client.get(done.headers["location"])
        assert "customer cancelled &lt;by phone&gt;" in page.text
        record = await stored(running, record_id)
        assert (record.status.value, record.resolution_note) == ("discarded", note)
        assert orders_with_reference(running) == []
        assert ORDER["idempotencyKey"] == record.idempotency_key


async def test_the_audit_page_verifies_the_chain(tmp_path: Path) -> None:
    record_id = await quarantine_during_outage(tmp_path)
    async with console(sap_back(tmp_path)) as running:
        csrf = csrf_of(await record_page(running, record_id))
        await post(running, f"/console/quarantine/{record_id}/discard", {"csrf": csrf, "note": "x"})
        page = await running.client.get("/console/audit")
        assert page.status_code == 200
        assert '<span class="badge ready" id="verdict">intact</span>' in page.text
        entries = re.search(r'<dd id="entries">(\d+)</dd>', page.text)
        assert entries is not None
        assert int(entries.group(1)) >= 1

        # Someone with access to the database rewrites what the discard said.
        async with running.gateway.engine.begin() as conn:
            await conn.execute(
                update(audit_log)
                .where(audit_log.c.action == "console:discardQuarantinedRecord")
                .values(actor="somebody-else")
            )
        page = await running.client.get("/console/audit")
        assert '<span class="badge down" id="verdict">broken</span>' in page.text
        assert '<ul id="problems">' in page.text
