"""``erp-gateway agent-writes``: the writes AI agents asked for (``[mcp] writes =
"approval"``): list them, approve one (it runs now, once, as the agent that asked) or
reject one (it never runs).

Exit codes: 0 done; 1 an approved write ran and failed; 2 bad arguments or configuration;
3 refused: no such request, or it is no longer pending.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import TYPE_CHECKING

from experience_api.command_support import (
    EXIT_FAILED,
    EXIT_REFUSED,
    EXIT_USAGE,
    Subcommand,
    fail,
    load,
    print_json,
    state_options,
)

if TYPE_CHECKING:
    from experience_api.settings import Settings
    from process_apis.agent_writes.port import WriteRequest

STATUSES = ["pending", "approved", "done", "failed", "rejected", "expired"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    state = state_options()
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[state], help="newest first, as JSON")
    listing.add_argument("--status", choices=STATUSES)
    approve = actions.add_parser("approve", parents=[state], help="run a pending request once")
    approve.add_argument("id")
    reject = actions.add_parser("reject", parents=[state], help="close a request unrun")
    reject.add_argument("id")
    reject.add_argument("--note", required=True, help="why (the agent reads it)")


def _json(request: WriteRequest) -> dict[str, object]:
    return {
        "id": request.id,
        "tool": request.tool,
        "arguments": dict(request.arguments),
        "idempotency_key": request.idempotency_key,
        "requester": request.requester,
        "status": request.status.value,
        "created_at": request.created_at.isoformat(),
        "expires_at": request.expires_at.isoformat(),
        "decided_by": request.decided_by,
        "note": request.note,
        "result": request.result,
    }


async def _act(settings: Settings, args: argparse.Namespace) -> int:
    from experience_api.bootstrap import build_gateway
    from experience_api.graphql_protection import graphql_protection
    from experience_api.mcp.tools import Toolbox, agent_documents
    from experience_api.mcp.writes import WRITES_BY_NAME, executor
    from experience_api.schema import build_schema
    from process_apis.agent_writes.port import WriteStatus
    from process_apis.errors import FlowError, InvalidInput

    gateway = await build_gateway(settings)
    try:
        review = gateway.services.agent_writes
        if review is None:
            return fail('agent writes are kept only with [mcp] writes = "approval"', EXIT_USAGE)
        if args.action == "list":
            status = None if args.status is None else WriteStatus(args.status)
            print_json([_json(r) for r in await review.list(status)])
            return 0
        by = f"cli:{getpass.getuser()}"
        try:
            if args.action == "reject":
                request = await review.reject(args.id, by=by, note=args.note)
            else:
                protection = graphql_protection(settings, agent_documents(settings.mcp))
                schema = build_schema(protection.extensions, protection.max_batch_operations)
                toolbox = Toolbox.build(
                    schema, settings.mcp, settings.max_page_size, protection.introspection
                )
                review.bind(executor(toolbox.runner, gateway.services, WRITES_BY_NAME))
                request = await review.approve(args.id, by=by)
        except FlowError as exc:
            return fail(exc.message, EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_REFUSED)
        print_json(_json(request))
        return EXIT_FAILED if request.status is WriteStatus.FAILED else 0
    finally:
        await gateway.aclose()


def run(args: argparse.Namespace) -> int:
    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    return asyncio.run(_act(settings, args))


COMMAND = Subcommand(
    name="agent-writes",
    help="approve or reject the writes AI agents asked for (admin)",
    description="Writes AI agents asked for with [mcp] writes = 'approval'. Exit codes: 0 "
    "done, 1 an approved write failed, 2 bad input, 3 refused.",
    arguments=_arguments,
    run=run,
)
