"""Forwarded headers against the real server process: uvicorn must not believe them for
the gateway, which trusts only the proxies it is configured with."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.processes import command, free_port

TYPENAME = {"query": "{ __typename }"}


def test_a_loopback_peer_rotating_x_forwarded_for_is_still_limited(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    env = {"ERP_GATEWAY_AUTH__RATE_LIMIT__FAILED_AUTH": "3/minute"}
    with command(args, f"{base}/health", env=env):
        statuses = [
            httpx.post(
                f"{base}/graphql",
                json=TYPENAME,
                headers={
                    "Authorization": f"Bearer junk.{n}.x",
                    "X-Forwarded-For": f"203.0.113.{n}",
                },
            ).status_code
            for n in range(4)
        ]
        # Not taken for a remote caller either: on loopback, the local developer it is.
        tokenless = httpx.post(
            f"{base}/graphql", json=TYPENAME, headers={"X-Forwarded-For": "203.0.113.99"}
        )

    assert statuses == [401, 401, 401, 429]
    assert tokenless.status_code == 200, tokenless.text
