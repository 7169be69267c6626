"""``erp-gateway export KIND [--connection C] > file``: a whole record set as NDJSON on stdout.

The same code path as ``GET /export/{kind}`` (:mod:`experience_api.export`): the caller is
the bearer token in ``ERP_GATEWAY_TOKEN``, checked as ``/graphql`` checks it (local mode
without one: the local developer, as a loopback request), under the same scopes, companies,
field protection and audit entry. A progress line (records and records/s) goes to stderr
when stderr is a terminal, or always with ``--progress``. Exit codes: 0 done; 1 the export
failed part way (what was written is a cut set); 2 bad arguments or token; 3 refused.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING, BinaryIO

from experience_api.command_support import (
    EXIT_FAILED,
    EXIT_REFUSED,
    EXIT_USAGE,
    ProgressLine,
    Subcommand,
    add_state_options,
    fail,
    load,
)
from experience_api.mcp.config import TOKEN_ENV

if TYPE_CHECKING:
    from experience_api.security.principal import Principal
    from experience_api.settings import Settings

KINDS = ("customers", "products", "inventory", "sales_orders", "invoices")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", help=f"what to export: {', '.join(KINDS)}")
    parser.add_argument("--connection", help="only this ERP connection (default: every one)")
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show progress on stderr even when it is not a terminal",
    )
    add_state_options(parser)


async def _principal(settings: Settings) -> Principal:
    from experience_api.security.authenticator import build_authenticator

    authenticator = build_authenticator(settings.auth, settings.mode, settings.data_dir)
    token = os.environ.get(TOKEN_ENV, "").strip()
    return await authenticator.authenticate(f"Bearer {token}" if token else None, "127.0.0.1")


async def export(
    settings: Settings,
    kind: str,
    connection: str | None,
    out: BinaryIO,
    progress: ProgressLine | None,
) -> int:
    """Writes the export to ``out``; the exit code."""
    from experience_api.bootstrap import build_gateway
    from experience_api.export.ndjson import lines
    from experience_api.export.session import ExportForbidden, open_export
    from experience_api.security.authenticator import MalformedAuthorization, MissingToken
    from experience_api.security.jwks import KeysUnavailable
    from experience_api.security.tokens import InvalidToken
    from process_apis.errors import FlowError
    from process_apis.export import parse_kind

    try:
        parse_kind(kind)
    except FlowError as exc:
        return fail(exc.message, EXIT_USAGE)
    try:
        principal = await _principal(settings)
    except MissingToken:
        return fail(f"set {TOKEN_ENV} to a bearer token (erp-gateway token issues one)", 2)
    except (MalformedAuthorization, InvalidToken, KeysUnavailable) as exc:
        return fail(f"the token in {TOKEN_ENV} is refused: {exc}", 2)
    gateway = await build_gateway(settings)
    try:
        try:
            plan = await open_export(gateway.services, principal, kind, connection)
        except ExportForbidden as exc:
            return fail(exc.message, EXIT_REFUSED)
        except FlowError as exc:
            return fail(exc.message, EXIT_USAGE)
        if progress is not None:
            progress.start()
        try:
            async for block in lines(plan, progress):
                out.write(block)
        except FlowError as exc:
            return fail(f"the export stopped part way: {exc.message}", EXIT_FAILED)
        finally:
            if progress is not None:
                progress.done()
        out.flush()
    finally:
        await gateway.aclose()
    return 0


def run(args: argparse.Namespace) -> int:
    import asyncio

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    show = args.progress or sys.stderr.isatty()
    progress = ProgressLine(args.kind, sys.stderr) if show else None
    return asyncio.run(export(settings, args.kind, args.connection, sys.stdout.buffer, progress))


COMMAND = Subcommand(
    name="export",
    help="write a whole record set as NDJSON to stdout",
    description="Export every customer, product, stock level, sales order or invoice as "
    "NDJSON (one JSON object per line) on stdout, under the same policy as GET /export/KIND. "
    f"The bearer token comes from {TOKEN_ENV}; local mode without one acts as the local "
    "developer.",
    arguments=_arguments,
    run=run,
)
