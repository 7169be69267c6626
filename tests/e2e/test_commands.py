"""The console commands as a user runs them: real processes, real HTTP on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from erp_sandbox.tryton.build import build_fingerprint
from erp_sandbox.tryton.database import TrytonDatabase, copy_database
from tests.e2e.processes import command, free_port

SAP_AUTH = ("GATEWAY", "sandbox")
CUSTOMERS = {"query": "{ customers(first: 100) { totalCount nodes { id source { erp } } } }"}


def test_serve_embedded_default(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    with command(args, f"{base}/health"):
        ide = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert ide.status_code == 200
        assert "graphiql" in ide.text.lower()

        response = httpx.post(f"{base}/graphql", json=CUSTOMERS)
        assert response.status_code == 200
        customers = response.json()["data"]["customers"]
        assert customers["totalCount"] >= 20
        assert httpx.get(f"{base}/ready").json()["status"] == "ok"
    assert (tmp_path / "data" / "gateway.sqlite").exists()


def test_gateway_in_front_of_a_separate_sap_sandbox(tmp_path: Path) -> None:
    sap_port, gw_port = free_port(), free_port()
    sap = f"http://127.0.0.1:{sap_port}"
    sandbox_args = ["sandbox", "sap", "--port", str(sap_port), "--data-dir", str(tmp_path / "sap")]
    connection = {
        "name": "EU01",
        "kind": "sap",
        "base_url": sap,
        "username": "GATEWAY",
        "password": "sandbox",
    }
    env = {"ERP_GATEWAY_CONNECTIONS": json.dumps([connection])}
    gw_args = ["serve", "--port", str(gw_port), "--data-dir", str(tmp_path / "gw")]
    with (
        command(sandbox_args, f"{sap}/sandbox/stats"),
        command(gw_args, f"http://127.0.0.1:{gw_port}/health", env=env),
    ):
        before = httpx.get(f"{sap}/sandbox/stats", auth=SAP_AUTH).json()["request_count"]
        response = httpx.post(f"http://127.0.0.1:{gw_port}/graphql", json=CUSTOMERS)
        customers = response.json()["data"]["customers"]
        assert customers["totalCount"] >= 20
        assert {n["source"]["erp"] for n in customers["nodes"]} == {"sap"}
        after = httpx.get(f"{sap}/sandbox/stats", auth=SAP_AUTH).json()["request_count"]
        assert after > before
    # No embedded sandbox was created next to the gateway's state.
    assert not any(p.name.startswith("sap-sandbox") for p in (tmp_path / "gw").iterdir())


def test_invalid_configuration_is_reported(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "experience_api.cli", "serve", "--data-dir", str(tmp_path)],
        env={"ERP_GATEWAY_MAX_PAGE_SIZE": "0", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_with_the_tryton_profile(tmp_path: Path, tryton_template: TrytonDatabase) -> None:
    # The profile builds its Tryton into the data directory on first start; hand it the
    # run's database, built from the same recipe, with its stamp, so the test does not rebuild.
    data = tmp_path / "data"
    copy_database(tryton_template, data / "tryton")
    fingerprint = build_fingerprint(tryton_template.name, tryton_template.admin_password)
    (data / "tryton" / f"{tryton_template.name}.build.json").write_text(json.dumps(fingerprint))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--profile", "tryton", "--port", str(port), "--data-dir", str(data)]
    with command(args, f"{base}/health"):
        response = httpx.post(f"{base}/graphql", json=CUSTOMERS)
        nodes = response.json()["data"]["customers"]["nodes"]
        assert {n["source"]["erp"] for n in nodes} == {"sap", "tryton"}


def test_serve_with_every_erp(tmp_path: Path, tryton_template: TrytonDatabase) -> None:
    data = tmp_path / "data"
    copy_database(tryton_template, data / "tryton")
    fingerprint = build_fingerprint(tryton_template.name, tryton_template.admin_password)
    (data / "tryton" / f"{tryton_template.name}.build.json").write_text(json.dumps(fingerprint))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--profile", "all", "--port", str(port), "--data-dir", str(data)]
    with command(args, f"{base}/health"):
        response = httpx.post(f"{base}/graphql", json=CUSTOMERS)
        nodes = response.json()["data"]["customers"]["nodes"]
        assert {"sap", "tryton", "business_central"} <= {n["source"]["erp"] for n in nodes}
        assert {n["id"].split(":")[0] for n in nodes} >= {"EU01", "US01", "BC01"}
