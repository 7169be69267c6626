"""``erp-gateway sandbox sap|business-central|netsuite``: run an ERP sandbox as its own server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from experience_api.command_support import EXIT_USAGE, Subcommand, fail

if TYPE_CHECKING:
    from erp_sandbox.faults import FaultPlan


def _arguments(sandbox: argparse.ArgumentParser) -> None:
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
    bc = kinds.add_parser("business-central", help="Business Central API v2.0 sandbox")
    bc.add_argument("--host", default="127.0.0.1")
    bc.add_argument("--port", type=int, default=8090)
    bc.add_argument("--client-id", default="GATEWAY", help="the app registration it accepts")
    bc.add_argument("--client-secret", default="sandbox")
    bc.add_argument("--faults", help="fault plan to start with (as for sap)")
    _netsuite_arguments(kinds)


def _netsuite_arguments(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    netsuite = kinds.add_parser("netsuite", help="Oracle NetSuite SuiteTalk REST sandbox")
    netsuite.add_argument("--host", default="127.0.0.1")
    netsuite.add_argument("--port", type=int, default=8095)
    netsuite.add_argument(
        "--data-dir", type=Path, default=Path("data/netsuite-sandbox"), help="where it keeps data"
    )
    netsuite.add_argument("--account", default="TSTDRV1234567", help="account id (TBA realm)")
    netsuite.add_argument("--consumer-key", default="gateway-consumer")
    netsuite.add_argument("--consumer-secret", default="sandbox")
    netsuite.add_argument("--token-id", default="gateway-token")
    netsuite.add_argument("--token-secret", default="sandbox")
    netsuite.add_argument("--faults", help="fault plan to start with, as for the SAP sandbox")


def _serve_netsuite(args: argparse.Namespace, faults: FaultPlan | None) -> None:
    from erp_sandbox.netsuite.server import serve
    from erp_sandbox.netsuite.settings import SandboxSettings

    settings = SandboxSettings(
        account_id=args.account,
        consumer_key=args.consumer_key,
        consumer_secret=args.consumer_secret,
        token_id=args.token_id,
        token_secret=args.token_secret,
    )
    serve(args.host, args.port, args.data_dir, settings=settings, faults=faults)


def _serve_business_central(args: argparse.Namespace, faults: FaultPlan | None) -> None:
    from erp_sandbox.business_central.server import serve

    serve(args.host, args.port, args.client_id, args.client_secret, faults=faults)


def _serve_sap(args: argparse.Namespace, faults: FaultPlan | None) -> None:
    from erp_sandbox.sap.server import serve

    serve(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        username=args.username,
        password=args.password,
        faults=faults,
    )


SERVERS = {
    "sap": _serve_sap,
    "business-central": _serve_business_central,
    "netsuite": _serve_netsuite,
}


def run(args: argparse.Namespace) -> int:
    from erp_sandbox.faults import fault_plan_argument

    try:
        faults = None if args.faults is None else fault_plan_argument(args.faults)
    except (argparse.ArgumentTypeError, ValueError) as exc:
        return fail(str(exc), EXIT_USAGE)
    SERVERS[args.erp](args, faults)
    return 0


COMMAND = Subcommand(
    name="sandbox", help="run an ERP sandbox as its own server", arguments=_arguments, run=run
)
