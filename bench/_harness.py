"""What the gateway benches share: the reference query, free ports, a SAP sandbox and a
gateway in processes of their own (started, waited for, stopped), the demo seed with more
orders, and a process's CPU time and peak memory read from ``/proc``.

Imported by the scripts next to it (``bench/query_cpu.py``, ``bench/response_cache.py``,
``bench/export.py``), which are run as ``.venv/bin/python bench/<script>.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from erp_sandbox.sap.orders import create_sales_order
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.settings import SandboxSettings

REFERENCE_QUERY = """query Reference($first: Int!) {
  salesOrders(first: $first) {
    nodes {
      number
      customer { name }
      lines { sku quantity { value unit } product { name } }
    }
  }
}"""
"""50 sales orders with their lines, each line's product name and each order's customer name."""
PAGE = 50
EXTRA_ORDERS = 20
"""Orders seeded beside the demo's 30, so that the reference page is full."""
TICKS = os.sysconf("SC_CLK_TCK")


def check_reference(body: dict[str, Any]) -> None:
    """Raises unless ``body`` is a full, error-free answer to the reference query."""
    if "errors" in body or len(body["data"]["salesOrders"]["nodes"]) != PAGE:
        raise RuntimeError(f"unexpected answer: {str(body)[:2000]}")
    nodes = body["data"]["salesOrders"]["nodes"]
    if not all(n["customer"]["name"] for n in nodes) or not all(
        line["product"]["name"] for n in nodes for line in n["lines"]
    ):
        raise RuntimeError("a customer or product name is missing")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def seed_orders(data_dir: Path, count: int = EXTRA_ORDERS) -> None:
    """The demo seed plus ``count`` orders of one to four lines from as many customers."""
    sandbox = Sandbox(SandboxSettings(data_dir=data_dir))
    now = datetime.now(UTC)
    with sandbox.store.write() as tx:
        for index in range(count):
            lines = [
                {"Material": f"TG{11 + (index * 3 + n) % 25}", "RequestedQuantity": str(n + 1)}
                for n in range(1 + index % 4)
            ]
            document = {
                "SoldToParty": str(10100001 + index),
                "PurchaseOrderByCustomer": f"BENCH-{index}",
                "to_Item": lines,
            }
            create_sales_order(tx, document, now - timedelta(hours=index))
    sandbox.store.close()


@contextlib.contextmanager
def process(
    argv: list[str],
    health: str,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[int]:
    """Runs ``argv`` (with ``env`` added to the environment, in ``cwd``) until the block
    ends, once ``health`` answers; yields its pid."""
    what = next((arg for arg in argv if arg.startswith(("erp_sandbox", "experience_api"))), argv[0])
    with log.open("wb") as out:
        child = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ERP_GATEWAY_LOG_LEVEL": "warning", **(env or {})},
            cwd=cwd,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if child.poll() is not None:
                    raise RuntimeError(f"{what} exited:\n{log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(health, timeout=1).status_code < 500:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{what} not ready after 90 s")
                time.sleep(0.2)
            yield child.pid
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@dataclass(frozen=True)
class Served:
    """A SAP sandbox and a gateway connected to it (connection ``EU01``), each its own process."""

    sap: str
    """The sandbox's base URL."""
    gateway: str
    """The gateway's base URL."""
    gateway_pid: int
    sap_log: Path
    gateway_dir: Path


@contextlib.contextmanager
def sap_and_gateway(
    work: Path,
    sandbox_dir: Path,
    name: str,
    connection_toml: str = "",
    sap_log_level: str = "info",
    *,
    gateway_wrapper: tuple[str, ...] = (),
    gateway_code: Path | None = None,
) -> Iterator[Served]:
    """Serves the sandbox data in ``sandbox_dir`` and a gateway over it until the block ends;
    ``connection_toml`` is appended to the connection's settings (``timeout_seconds = 120``,
    ``[connections.cache]`` ...). Logs and the gateway's data go under ``work``/``name``-*.

    ``gateway_wrapper`` runs the gateway under another program (``valgrind ...``);
    ``gateway_code`` runs the gateway of another checkout (in it, and first on its
    ``PYTHONPATH``)."""
    gateway_dir = work / f"{name}-gateway"
    gateway_dir.mkdir()
    sap_port, gw_port = free_port(), free_port()
    sap = f"http://127.0.0.1:{sap_port}"
    config = gateway_dir / "gateway.toml"
    config.write_text(
        f'[[connections]]\nname = "EU01"\nkind = "sap"\nbase_url = "{sap}"\n'
        f'username = "GATEWAY"\npassword = "sandbox"\n{connection_toml}'
    )
    python = sys.executable
    sandbox_argv = [python, "-m", "erp_sandbox.sap", "--port", str(sap_port)]
    sandbox_argv += ["--data-dir", str(sandbox_dir), "--log-level", sap_log_level]
    gateway_argv = [*gateway_wrapper, python, "-m", "experience_api.cli", "serve"]
    gateway_argv += ["--port", str(gw_port)]
    gateway_argv += ["--data-dir", str(gateway_dir), "--config", str(config)]
    sap_log = work / f"{name}-sap.log"
    gateway = f"http://127.0.0.1:{gw_port}"
    with (
        process(sandbox_argv, f"{sap}/sap/opu/odata/sap/", sap_log),
        process(
            gateway_argv,
            f"{gateway}/health",
            work / f"{name}-gateway.log",
            # ``python -m`` looks in its working directory first.
            env=None if gateway_code is None else {"PYTHONPATH": str(gateway_code)},
            cwd=gateway_code,
        ) as pid,
    ):
        yield Served(sap, gateway, pid, sap_log, gateway_dir)
