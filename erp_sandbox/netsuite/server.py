"""Running the NetSuite sandbox as its own HTTP server (uvicorn)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from erp_sandbox.faults import FaultPlan, fault_plan_argument
from erp_sandbox.netsuite.app import create_app
from erp_sandbox.netsuite.settings import SandboxSettings

DEFAULT_PORT = 8095


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    data_dir: Path | None = None,
    *,
    settings: SandboxSettings | None = None,
    faults: FaultPlan | None = None,
    log_level: str = "info",
) -> None:
    """Serve the sandbox until interrupted (data in ``<data_dir>`` when given, else memory)."""
    base = settings or SandboxSettings()
    chosen = SandboxSettings(**{**base.__dict__, "data_dir": data_dir, "faults": faults})
    uvicorn.run(create_app(chosen), host=host, port=port, log_level=log_level)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m erp_sandbox.netsuite [--host H] [--port N] [--data-dir D] [--faults F]``."""
    parser = argparse.ArgumentParser(
        prog="python -m erp_sandbox.netsuite", description="Oracle NetSuite SuiteTalk sandbox"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--faults", type=fault_plan_argument, default=None)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.data_dir, faults=args.faults, log_level=args.log_level)
