"""The ``erp-gateway`` command: serve the gateway, run an ERP sandbox alone, export the SDL,
review the quarantine.

Exit codes: 0 done; 1 a replay ran and failed again (the record stays open); 2 bad
arguments, configuration or payload; 3 refused: no such record, or it is not open (or is
being replayed right now).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from experience_api import (
    audit_command,
    capture_command,
    events_command,
    persisted_command,
    token_command,
    webhooks_command,
)

if TYPE_CHECKING:
    from experience_api.settings import Settings
    from process_apis.quarantine.review import QuarantineReview

EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 1, 2, 3


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
    sap.add_argument(
        "--faults",
        help='fault plan to start with: JSON text or @file ({"seed": 1, "faults": [{"kind": '
        '"down", "probability": 0.1}]}); change it later with POST /sandbox/faults',
    )

    commands.add_parser("export-schema", help="print the GraphQL SDL")
    _quarantine_parser(commands)
    audit_command.add_parser(commands)
    capture_command.add_parser(commands)
    events_command.add_parser(commands)
    token_command.add_parser(commands)
    webhooks_command.add_parser(commands)
    persisted_command.add_parser(commands)
    return parser


def _quarantine_parser(commands: Any) -> None:
    state = argparse.ArgumentParser(add_help=False)
    state.add_argument("--config", type=Path, help="TOML configuration file (as for serve)")
    state.add_argument("--data-dir", type=Path, help="directory for state files (as for serve)")
    quarantine = commands.add_parser(
        "quarantine",
        help="review requests kept in quarantine (admin)",
        description="Review requests the gateway accepted but their ERP could not take. "
        "Exit codes: 0 done, 1 a replay failed again, 2 bad input, 3 refused.",
    )
    actions = quarantine.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[state], help="list records, oldest first")
    listing.add_argument("--status", choices=["open", "replayed", "discarded"])
    listing.add_argument("--kind")
    listing.add_argument("--connection")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true", help="print JSON")
    actions.add_parser("show", parents=[state], help="print one record").add_argument("id")
    edit = actions.add_parser("edit", parents=[state], help="replace an open record's payload")
    edit.add_argument("id")
    edit.add_argument("--payload", type=Path, required=True, help="JSON file")
    replay = actions.add_parser("replay", parents=[state], help="place open records again")
    replay.add_argument("id", nargs="?")
    replay.add_argument("--all", action="store_true", help="every open record")
    replay.add_argument("--kind", help="with --all: only records of this kind")
    discard = actions.add_parser("discard", parents=[state], help="close without placing")
    discard.add_argument("id")
    discard.add_argument("--note", required=True, help="why (kept with the record)")
    discard.add_argument(
        "--release-key", action="store_true", help="free the idempotency key for a resend"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "sandbox":
        from erp_sandbox.sap.server import fault_plan_argument
        from erp_sandbox.sap.server import serve as serve_sandbox

        try:
            faults = None if args.faults is None else fault_plan_argument(args.faults)
        except (argparse.ArgumentTypeError, ValueError) as exc:
            print(f"erp-gateway: {exc}", file=sys.stderr)
            return 2
        serve_sandbox(
            host=args.host,
            port=args.port,
            data_dir=args.data_dir,
            username=args.username,
            password=args.password,
            faults=faults,
        )
        return 0
    if args.command == "export-schema":
        from experience_api.schema import export_sdl

        sys.stdout.write(export_sdl())
        return 0
    if args.command == "quarantine":
        return _quarantine(args)
    if args.command == "audit":
        return audit_command.run(args)
    if args.command == "capture":
        return capture_command.run(args)
    if args.command == "events":
        return events_command.run(args)
    if args.command == "token":
        return token_command.run(args)
    if args.command == "webhooks":
        return webhooks_command.run(args)
    if args.command == "persisted-ops":
        return persisted_command.run(args)
    raise AssertionError(args.command)


def _quarantine(args: argparse.Namespace) -> int:
    from experience_api.settings import load_settings
    from process_apis.errors import FlowError, InvalidInput

    if args.action == "replay" and (args.all == bool(args.id) or (args.kind and not args.all)):
        return _fail("give either a record id or --all (with --kind to narrow it)", EXIT_USAGE)
    payload = None
    if args.action == "edit":
        try:
            payload = json.loads(args.payload.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return _fail(f"cannot read the payload from {args.payload}: {exc}", EXIT_USAGE)
    try:
        settings = load_settings(args.config, data_dir=args.data_dir)
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        return _fail(f"invalid configuration:\n{exc}", EXIT_USAGE)
    try:
        return asyncio.run(_review(settings, args, payload))
    except FlowError as exc:
        return _fail(exc.message, EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_REFUSED)


async def _review(settings: Settings, args: argparse.Namespace, payload: Any) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from experience_api.bootstrap import build_gateway

    try:
        gateway = await build_gateway(settings)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"cannot open the gateway's state database: {exc}")
    try:
        return await _act(gateway.services.quarantine, args, payload)
    finally:
        await gateway.aclose()


async def _act(review: QuarantineReview, args: argparse.Namespace, payload: Any) -> int:
    by = f"cli:{_user()}"
    if args.action == "list":
        return await _list(review, args)
    if args.action == "show":
        _print_json((await review.get(args.id)).as_json())
    elif args.action == "edit":
        _print_json((await review.edit(args.id, payload)).as_json())
    elif args.action == "discard":
        record = await review.discard(args.id, args.note, by=by, release_key=args.release_key)
        print(f"discarded {record.id}")
    elif args.all:
        summary = await review.replay_all(args.kind, by=by)
        print(f"replayed {summary.replayed}, failed {summary.failed}, skipped {summary.skipped}")
        return EXIT_FAILED if summary.failed else 0
    else:
        outcome = await review.replay(args.id, by=by)
        if outcome.error is not None:
            return _fail(f"replay failed, the record stays open: {outcome.error.message}")
        print(f"replayed {outcome.record.id}: {outcome.record.resolution_result}")
    return 0


async def _list(review: QuarantineReview, args: argparse.Namespace) -> int:
    from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus

    status = QuarantineStatus(args.status) if args.status else None
    query = QuarantineFilter(status=status, kind=args.kind, connection=args.connection)
    page = await review.list(query, limit=max(args.limit, 1))
    if args.json:
        _print_json([record.as_json() for record in page.items])
        return 0
    for r in page.items:
        when = r.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"{r.id}  {r.status:<9}  {r.kind}  {r.connection}  {when}  x{r.attempts}  {r.reason}")
    if page.total > len(page.items):
        print(f"({page.total - len(page.items)} more; raise --limit)", file=sys.stderr)
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"erp-gateway: {message}", file=sys.stderr)
    return code


def _serve(args: argparse.Namespace) -> int:
    from experience_api.settings import load_settings

    try:
        settings = load_settings(
            args.config, host=args.host, port=args.port, data_dir=args.data_dir
        )
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"erp-gateway: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    from experience_api.security.setup import check_security

    try:
        check_security(settings)
    except ValueError as exc:
        print(f"erp-gateway: cannot start: {exc}", file=sys.stderr)
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
        # The gateway reads forwarded headers itself, from auth.trusted_proxies only;
        # uvicorn's own reading would believe any loopback peer.
        proxy_headers=False,
    )


def _serve_with_local_tryton(settings: Settings) -> int:
    try:
        from erp_sandbox.tryton.serve import start_in_background
    except ImportError:
        print("erp-gateway: the tryton profile needs the 'tryton' extra", file=sys.stderr)
        return 2
    from experience_api.settings import TrytonConnectionSettings
    from process_apis.change_capture.config import ChangeCapturePolicy

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
            # Local demo: changes made in Tryton's own client show up as events.
            change_capture=ChangeCapturePolicy(enabled=True, interval_seconds=2.0),
        )
        others = [c for c in settings.connections if c.name != us01.name]
        _run(settings.model_copy(update={"connections": [*others, us01]}))
    finally:
        tryton.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
