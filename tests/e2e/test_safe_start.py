"""Start-up and operator commands that cannot act on the wrong ERP, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from experience_api.mcp.config import TOKEN_ENV
from experience_api.safety import embedded_sandbox_dir
from process_apis.persistence.database import create_engine, migrate
from process_apis.quarantine.port import NewQuarantined
from process_apis.quarantine.sql_store import SqlQuarantineStore
from tests.e2e.test_production_mode import ISSUER, Issuer


def erp_gateway(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ERP_GATEWAY_")}
    return subprocess.run(
        [sys.executable, "-m", "experience_api.cli", *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version() -> None:
    result = erp_gateway("--version")
    assert result.returncode == 0
    name, version = result.stdout.split()
    assert name == "erp-gateway"
    assert version[0].isdigit()


def test_production_without_an_erp_connection_refuses_to_start(tmp_path: Path) -> None:
    production = {
        "ERP_GATEWAY_MODE": "production",
        "ERP_GATEWAY_AUTH__ISSUER": ISSUER,
        "ERP_GATEWAY_AUTH__JWKS_FILE": str(Issuer(tmp_path).jwks_file),
    }
    result = erp_gateway("serve", "--data-dir", str(tmp_path), env=production)
    assert result.returncode == 2
    assert "EU01" in result.stderr
    assert "base_url" in result.stderr
    assert "ERP_GATEWAY_CONNECTIONS" in result.stderr
    assert "Traceback" not in result.stderr
    assert not embedded_sandbox_dir(tmp_path, "EU01").exists()


def test_the_stdio_agent_server_refuses_the_demo_sandbox_in_production(tmp_path: Path) -> None:
    issuer = Issuer(tmp_path)
    token = issuer.headers()["Authorization"].removeprefix("Bearer ")
    production = {
        "ERP_GATEWAY_MODE": "production",
        "ERP_GATEWAY_AUTH__ISSUER": ISSUER,
        "ERP_GATEWAY_AUTH__JWKS_FILE": str(issuer.jwks_file),
        TOKEN_ENV: token,
    }
    result = erp_gateway("mcp", "--data-dir", str(tmp_path), env=production)
    assert result.returncode == 2
    assert "base_url" in result.stderr
    assert not embedded_sandbox_dir(tmp_path, "EU01").exists()


async def quarantined(data_dir: Path, connection: str) -> str:
    """A state database beside ``data_dir`` with one open record of ``connection``."""
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'gateway.sqlite'}")
    try:
        await migrate(engine)
        record = await SqlQuarantineStore(engine).add(
            NewQuarantined(kind="place_order", connection=connection, payload={}, reason="ERP down")
        )
        return record.id
    finally:
        await engine.dispose()


async def test_replay_refuses_a_connection_its_settings_do_not_name(tmp_path: Path) -> None:
    record_id = await quarantined(tmp_path, "US01")
    result = erp_gateway("quarantine", "replay", record_id, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "US01" in result.stderr
    assert "--config" in result.stderr
    assert "replayed" not in result.stdout


async def test_replay_refuses_a_throwaway_embedded_sandbox(tmp_path: Path) -> None:
    # EU01's records came from a configured SAP; the command's settings (no --config) would
    # serve EU01 from an embedded sandbox that never existed beside this state.
    record_id = await quarantined(tmp_path, "EU01")
    result = erp_gateway("quarantine", "replay", record_id, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "embedded sandbox" in result.stderr
    assert not embedded_sandbox_dir(tmp_path, "EU01").exists()
