"""The ``erp-gateway`` command: serve the gateway, run an ERP sandbox alone, export the SDL."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr, ValidationError

if TYPE_CHECKING:
    from experience_api.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="erp-gateway",
        description="ERP integration gateway: GraphQL in front of your ERPs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the gateway",
        description="Run the gateway. Every option can also be set as ERP_GATEWAY_<NAME> "
        "(e.g. ERP_GATEWAY_PORT) or in the TOML file given with --config.",
    )
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--data-dir", type=Path, help="directory for state files (default ./data)")
    serve.add_argument("--config", type=Path, help="TOML configuration file")
    serve.add_argument(
        "--profile",
        choices=["default", "tryton"],
        default="default",
        help="tryton: also set up a local Tryton with demo data (built once into the data "
        "directory, about a minute), start it, and serve it as connection US01",
    )

    sandbox = commands.add_parser("sandbox", help="run an ERP sandbox as its own server")
    kinds = sandbox.add_subparsers(dest="erp", required=True)
    sap = kinds.add_parser("sap", help="SAP S/4HANA OData v2 sandbox")
    sap.add_argument("--host", default="127.0.0.1")
    sap.add_argument("--port", type=int, default=8100)
    sap.add_argument(
        "--data-dir", type=Path, default=Path("data/sap-sandbox"), help="where it keeps its data"
    )
    sap.add_argument("--username", default="GATEWAY")
    sap.add_argument("--password", default="sandbox")

    commands.add_parser("export-schema", help="print the GraphQL SDL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "sandbox":
        from erp_sandbox.sap.server import serve as serve_sandbox

        serve_sandbox(
            host=args.host,
            port=args.port,
            data_dir=args.data_dir,
            username=args.username,
            password=args.password,
        )
        return 0
    if args.command == "export-schema":
        from experience_api.schema import export_sdl

        sys.stdout.write(export_sdl())
        return 0
    raise AssertionError(args.command)


def _serve(args: argparse.Namespace) -> int:
    from experience_api.settings import load_settings

    try:
        settings = load_settings(
            args.config, host=args.host, port=args.port, data_dir=args.data_dir
        )
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"erp-gateway: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    if args.profile == "tryton":
        return _serve_with_local_tryton(settings)
    _run(settings)
    return 0


def _run(settings: Settings) -> None:
    import uvicorn

    from experience_api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=True,
    )


def _serve_with_local_tryton(settings: Settings) -> int:
    try:
        from erp_sandbox.tryton.serve import start_in_background
    except ImportError:
        print("erp-gateway: the tryton profile needs the 'tryton' extra", file=sys.stderr)
        return 2
    from experience_api.settings import TrytonConnectionSettings

    print("erp-gateway: preparing the local Tryton (the first start builds it)...", file=sys.stderr)
    tryton = start_in_background(settings.data_dir / "tryton")
    try:
        running = tryton.running
        assert running is not None
        us01 = TrytonConnectionSettings(
            name="US01",
            kind="tryton",
            base_url=running.url,
            database=running.database,
            password=SecretStr(running.admin_password),
        )
        others = [c for c in settings.connections if c.name != us01.name]
        _run(settings.model_copy(update={"connections": [*others, us01]}))
    finally:
        tryton.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
