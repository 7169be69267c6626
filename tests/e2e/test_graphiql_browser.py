"""GraphiQL in a real browser (Debian's Chromium, driven by Playwright) on a closed network:
the editor renders, a query runs and shows its result, and every request the page makes
goes to the gateway's own origin (anything else is recorded and cut off)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.processes import command, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY = "{ customers(first: 3) { totalCount nodes { name } } }"
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"


def _browser_available() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def test_graphiql_works_offline(tmp_path: Path) -> None:
    _browser_available()
    from playwright.sync_api import Route, sync_playwright

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    requested: list[str] = []
    elsewhere: list[str] = []

    def closed_network(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if url.startswith(f"{origin}/"):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    args = ["serve", "--port", str(port), "--data-dir", str(tmp_path)]
    with command(args, f"{origin}/health"), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", closed_network)
            page.goto(f"{origin}/graphql", timeout=15_000)
            page.wait_for_selector(QUERY_EDITOR, timeout=15_000)
            page.evaluate(
                f"document.querySelector({QUERY_EDITOR!r}).CodeMirror.setValue({QUERY!r})"
            )
            page.click(".graphiql-execute-button")
            shown = f"document.querySelector({RESPONSE!r}).CodeMirror.getValue()"
            page.wait_for_function(f"{shown}.includes('totalCount')", timeout=15_000)
            result = json.loads(page.evaluate(shown))
        finally:
            browser.close()

    customers = result["data"]["customers"]
    assert customers["totalCount"] >= 20
    assert len(customers["nodes"]) == 3
    assert elsewhere == []
    assert f"{origin}/graphiql/static/graphiql.min.js" in requested
