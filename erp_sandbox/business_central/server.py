"""Running the Business Central sandbox as its own HTTP server (uvicorn)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from erp_sandbox.business_central.app import create_app
from erp_sandbox.business_central.settings import SandboxSettings
from erp_sandbox.faults import FaultPlan, fault_plan_argument

DEFAULT_PORT = 8090


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    client_id: str = "gateway",
    client_secret: str = "sandbox",
    *,
    log_level: str = "info",
    faults: FaultPlan | None = None,
) -> None:
    """Serve the sandbox until interrupted; its data lives in memory (``/sandbox/reset``)."""
    settings = SandboxSettings(client_id=client_id, client_secret=client_secret, faults=faults)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m erp_sandbox.business_central [--host H] [--port N] ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m erp_sandbox.business_central",
        description="Dynamics 365 Business Central API v2.0 sandbox",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--client-id", default="gateway")
    parser.add_argument("--client-secret", default="sandbox")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--faults", type=fault_plan_argument, default=None)
    args = parser.parse_args(argv)
    serve(
        args.host,
        args.port,
        args.client_id,
        args.client_secret,
        log_level=args.log_level,
        faults=args.faults,
    )
