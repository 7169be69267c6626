"""``erp-gateway serve``: run the gateway (optionally with a local Tryton beside it)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pydantic import SecretStr

from experience_api.command_support import EXIT_USAGE, Subcommand, add_state_options, fail, load

if TYPE_CHECKING:
    from experience_api.settings import Settings

SQLITE_SWITCH_INTERVAL = 0.0005
"""Seconds a thread holds the GIL before another may take it, when state is in SQLite."""


def _arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    add_state_options(serve)
    serve.add_argument(
        "--profile",
        choices=["default", "tryton", "all"],
        default="default",
        help="tryton: also set up a local Tryton with demo data (built once into the data "
        "directory: a few minutes, progress on stderr), start it, and serve it as connection "
        "US01; all: every ERP at once: the configured connections, Business Central's emulator "
        "as BC01, NetSuite's as NS01 where that connector and its emulator are installed, and "
        "the local Tryton where the 'tryton' extra is",
    )


def run(args: argparse.Namespace) -> int:
    settings = load(args, host=args.host, port=args.port)
    if settings is None:
        return EXIT_USAGE
    from experience_api.safety import check_production_connections
    from experience_api.security.setup import check_security

    try:
        check_security(settings)
        check_production_connections(settings)
    except ValueError as exc:
        return fail(f"cannot start: {exc}", EXIT_USAGE)
    if args.profile == "all":
        settings = _with_every_emulator(settings)
        if _tryton_available():
            return _serve_with_local_tryton(settings)
        print("erp-gateway: no 'tryton' extra: serving without Tryton", file=sys.stderr)
    if args.profile == "tryton":
        return _serve_with_local_tryton(settings)
    _run(settings)
    return 0


def _run(settings: Settings) -> None:
    import uvicorn

    from experience_api.app import create_app
    from experience_api.observability.logs import uvicorn_log_config

    if settings.state_url.startswith("sqlite"):
        # The SQLite driver runs every statement on a thread of its own and hands the answer
        # back to the event loop: a few hand-overs per statement. Under load the loop keeps
        # the GIL for up to the switch interval (5 ms by default) before that thread may
        # run, and the state database's writers wait in line behind each other's statements.
        sys.setswitchinterval(SQLITE_SWITCH_INTERVAL)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=uvicorn_log_config(settings.log_format),
        # The gateway reads forwarded headers itself, from auth.trusted_proxies only;
        # uvicorn's own reading would believe any loopback peer.
        proxy_headers=False,
    )


def _serve_with_local_tryton(settings: Settings) -> int:
    try:
        from erp_sandbox.tryton.serve import start_in_background
    except ImportError:
        return fail("the tryton profile needs the 'tryton' extra", EXIT_USAGE)
    from experience_api.connection_settings import ConnectionSettings
    from process_apis.change_capture.config import ChangeCapturePolicy

    print(
        "erp-gateway: preparing the local Tryton (the first start builds it: a few minutes)",
        file=sys.stderr,
        flush=True,
    )
    tryton = start_in_background(settings.data_dir / "tryton", progress=_to_stderr)
    try:
        running = tryton.running
        assert running is not None
        us01 = ConnectionSettings.model_validate(
            {
                "name": "US01",
                "kind": "tryton",
                "base_url": running.url,
                "database": running.database,
                "password": SecretStr(running.admin_password),
                # Local demo: changes made in Tryton's own client show up as events.
                "change_capture": ChangeCapturePolicy(enabled=True, interval_seconds=2.0),
            }
        )
        others = [c for c in settings.connections if c.name != us01.name]
        _run(settings.model_copy(update={"connections": [*others, us01]}))
    finally:
        tryton.stop()
    return 0


EMULATED = (("BC01", "business_central"), ("NS01", "netsuite"))
"""The connections ``--profile all`` adds, each served by its kind's emulator."""


def _with_every_emulator(settings: Settings) -> Settings:
    from experience_api.connection_settings import ConnectionSettings
    from experience_api.embedded import EMULATORS
    from system_apis.registry import UnknownKind, installed_connectors

    connectors = installed_connectors()
    taken = {c.name for c in settings.connections}
    added = []
    for name, kind in EMULATED:
        try:
            connectors.get(kind)
        except UnknownKind:
            continue
        if name not in taken and kind in EMULATORS:
            added.append(ConnectionSettings.model_validate({"name": name, "kind": kind}))
    return settings.model_copy(update={"connections": [*settings.connections, *added]})


def _tryton_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("trytond") is not None


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


COMMAND = Subcommand(
    name="serve",
    help="run the gateway",
    description="Run the gateway. Every option can also be set as ERP_GATEWAY_<NAME> "
    "(e.g. ERP_GATEWAY_PORT) or in the TOML file given with --config.",
    arguments=_arguments,
    run=run,
)
