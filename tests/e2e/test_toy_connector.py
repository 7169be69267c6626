"""An ERP kind added by one package: the toy connector of the test suite, installed as a
plug-in, is configured like any connection and served through GraphQL, beside the SAP
sandbox, with no line of the product naming it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from experience_api.app import create_app
from experience_api.settings import load_settings
from tests.e2e.conftest import Running
from tests.fakes import toy_connector

REPOSITORY = Path(__file__).resolve().parents[2]

CONFIG = """
[[connections]]
name = "EU01"

[[connections]]
name = "TOY1"
kind = "toy"
customers = 3
currency = "USD"
"""


@pytest.fixture
async def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    toy_connector.install(tmp_path / "site", monkeypatch)
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG)
    settings = load_settings(config, data_dir=tmp_path / "data")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            running = Running(client=client, gateway=app.state.gateway, settings=settings)
            client.headers["Authorization"] = f"Bearer {running.token('sales')}"
            yield running


async def test_a_plugged_in_kind_is_served_through_graphql(gateway: Running) -> None:
    body = await gateway.gql(
        '{ customers(first: 10, connection: "TOY1") '
        "{ totalCount nodes { id name source { connection erp } } } }"
    )
    customers = body["data"]["customers"]
    assert customers["totalCount"] == 3
    assert [n["id"] for n in customers["nodes"]] == ["TOY1:1", "TOY1:2", "TOY1:3"]
    assert {(n["source"]["connection"], n["source"]["erp"]) for n in customers["nodes"]} == {
        ("TOY1", "memory")
    }

    body = await gateway.gql(
        '{ products(first: 10, connection: "TOY1") '
        "{ nodes { sku name listPrice { amount currency } stock { quantity { value } } } } }"
    )
    assert body["data"]["products"]["nodes"] == [
        {
            "sku": "BRICK",
            "name": "Red brick",
            "listPrice": {"amount": "0.25", "currency": "USD"},
            "stock": [{"quantity": {"value": "500"}}],
        }
    ]


async def test_the_plugged_in_kind_stands_beside_the_built_in_ones(gateway: Running) -> None:
    body = await gateway.gql("{ customers(first: 100) { nodes { source { connection erp } } } }")
    sources = {
        (n["source"]["connection"], n["source"]["erp"]) for n in body["data"]["customers"]["nodes"]
    }
    assert sources == {("EU01", "sap"), ("TOY1", "memory")}


def test_a_bad_setting_of_the_plugged_in_kind_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    toy_connector.install(site, monkeypatch)
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG.replace("customers = 3", "customers = 1000"))

    result = serve(config, tmp_path, site)

    assert result.returncode == 2
    assert "connection 'TOY1' (toy): customers: Input should be less than or equal to 100" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_kind_nobody_installed_stops_the_start(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG)

    result = serve(config, tmp_path, None)

    assert result.returncode == 2
    assert "connection 'TOY1': unknown kind 'toy' (known: " in result.stderr
    known = result.stderr.split("(known: ", 1)[1].split(")", 1)[0].split(", ")
    assert known == sorted(known)
    assert {"netsuite", "sap", "tryton"} <= set(known)
    assert "toy" not in known
    assert "Traceback" not in result.stderr


def serve(config: Path, tmp_path: Path, site: Path | None) -> subprocess.CompletedProcess[str]:
    paths = [str(site)] if site else []
    data = str(tmp_path / "data")
    command = ["serve", "--config", str(config), "--data-dir", data]
    return subprocess.run(
        [sys.executable, "-m", "experience_api.cli", *command],
        env={"PATH": "", "PYTHONPATH": ":".join([*paths, str(REPOSITORY)])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
