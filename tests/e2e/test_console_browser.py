"""The operations console in a real browser (Debian's Chromium, driven by Playwright): an
order quarantined while its ERP was down is replayed by clicking in the console, and the
ERP then holds it exactly once. The page loads nothing from anywhere but the gateway."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import uvicorn
from starlette.applications import Starlette

from experience_api.app import create_app
from tests.e2e.test_graphiql_browser import CHROMIUM, CHROMIUM_ARGS, _browser_available
from tests.e2e.test_quarantine import orders_with_reference, quarantine_during_outage, sap_back


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port (bound here, so no other process
    can take it meanwhile) in a thread, until the block ends; yields its origin."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive(), "the gateway stopped while starting"
            assert time.monotonic() < deadline, "the gateway did not start within 60 s"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_an_order_quarantined_in_an_outage_is_replayed_from_the_console(tmp_path: Path) -> None:
    _browser_available()
    from playwright.sync_api import Route, sync_playwright

    record_id = asyncio.run(quarantine_during_outage(tmp_path))

    app = create_app(sap_back(tmp_path))
    with serving(app) as origin, sync_playwright() as playwright:
        sap = SimpleNamespace(sap=app.state.gateway.sandboxes["EU01"].state.sandbox)
        assert orders_with_reference(sap) == []  # type: ignore[arg-type]
        elsewhere: list[str] = []
        requested: list[str] = []

        def closed_network(route: Route) -> None:
            requested.append(route.request.url)
            if route.request.url.startswith(f"{origin}/"):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", closed_network)
            page.goto(f"{origin}/console", timeout=15_000)
            page.click("text=1 open", timeout=15_000)
            page.click(f"a.record:text-is('{record_id}')", timeout=15_000)
            assert page.text_content("#status", timeout=15_000) == "open"
            page.click("#replay", timeout=15_000)
            page.wait_for_selector("#status:text-is('replayed')", timeout=30_000)
            notice = page.text_content(".notice")
            result = page.text_content("#result")
        finally:
            browser.close()

        assert notice is not None
        assert "Replayed" in notice
        [order] = orders_with_reference(sap)  # type: ignore[arg-type]
        assert result == f"EU01:{order['SalesOrder']}"
    assert elsewhere == []
    assert f"{origin}/console/static/console.css" in requested
