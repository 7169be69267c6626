"""Running the SAP sandbox as its own HTTP server (uvicorn)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from erp_sandbox.faults import FaultPlan, fault_plan_argument
from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings

DEFAULT_PORT = 8070


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    data_dir: Path | None = None,
    username: str = "GATEWAY",
    password: str = "sandbox",
    *,
    csrf_enabled: bool = True,
    log_level: str = "info",
    faults: FaultPlan | None = None,
) -> None:
    """Serve the sandbox until interrupted.

    With ``data_dir`` the data lives in ``<data_dir>/sap_sandbox.sqlite3`` and survives
    restarts (seeded only when the file is new); without it the data is in memory.
    ``faults`` is the initial fault plan; it can be changed at ``/sandbox/faults``.
    """
    settings = SandboxSettings(
        data_dir=data_dir,
        username=username,
        password=password,
        csrf_enabled=csrf_enabled,
        faults=faults,
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m erp_sandbox.sap [--host H] [--port N] [--data-dir D] [--user U] ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m erp_sandbox.sap", description="SAP S/4HANA OData v2 sandbox"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep data in this directory")
    parser.add_argument("--user", default="GATEWAY", help="basic-auth user (default GATEWAY)")
    parser.add_argument("--password", default="sandbox", help="basic-auth password")
    parser.add_argument("--no-csrf", action="store_true", help="accept writes without CSRF token")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--faults",
        type=fault_plan_argument,
        default=None,
        help='initial fault plan: JSON text or @file ({"seed": 1, "faults": [{"kind": ...}]})',
    )
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        args.data_dir,
        args.user,
        args.password,
        csrf_enabled=not args.no_csrf,
        log_level=args.log_level,
        faults=args.faults,
    )
