"""``python -m erp_sandbox.sap``: the sandbox as its own process, keeping data in a directory."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.sandbox.support import PASSWORD, SO, USER


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "erp_sandbox.sap", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--log-level", "warning"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sandbox/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the sandbox process did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr:
        process.stderr.close()


def test_module_entry_point_serves_and_keeps_state(tmp_path: Path) -> None:
    data_dir = tmp_path / "sap"
    port = _free_port()
    process = _start(port, data_dir)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(USER, PASSWORD)) as http:
            fetched = http.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})
            body = {
                "SoldToParty": "10100002",
                "to_Item": [{"Material": "TG21", "RequestedQuantity": "5"}],
            }
            created = http.post(
                f"{SO}/A_SalesOrder",
                json=body,
                headers={"X-CSRF-Token": fetched.headers["x-csrf-token"]},
            )
            assert created.status_code == 201, created.text
            number = created.json()["d"]["SalesOrder"]
    finally:
        _stop(process)
    assert (data_dir / "sap_sandbox.sqlite3").exists()

    process = _start(port, data_dir)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(USER, PASSWORD)) as http:
            again = http.get(f"{SO}/A_SalesOrder('{number}')")
            assert again.status_code == 200
            assert again.json()["d"]["SoldToParty"] == "10100002"
    finally:
        _stop(process)
