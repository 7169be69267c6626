"""The ``erp-gateway`` command: serve the gateway, run an ERP sandbox alone, export the SDL,
and the operator commands on a gateway's state (quarantine, audit, capture, events, token,
webhooks, persisted-ops), and export record sets as NDJSON.

Each subcommand is one row of :data:`SUBCOMMANDS`, declared by its own module; a new one is
a module and a row, not another branch here. Exit codes: 0 done; 1 the work ran and failed
(a replay failed again, the audit chain is broken); 2 bad arguments, configuration or input;
3 refused (no such record, not open, or busy right now).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from experience_api import (
    agent_writes_command,
    audit_command,
    capture_command,
    events_command,
    export_command,
    mcp_command,
    persisted_command,
    quarantine_command,
    sandbox_command,
    schema_command,
    serve_command,
    token_command,
    webhooks_command,
)
from experience_api.command_support import Subcommand

SUBCOMMANDS: tuple[Subcommand, ...] = (
    serve_command.COMMAND,
    sandbox_command.COMMAND,
    schema_command.COMMAND,
    quarantine_command.COMMAND,
    audit_command.COMMAND,
    capture_command.COMMAND,
    events_command.COMMAND,
    token_command.COMMAND,
    webhooks_command.COMMAND,
    persisted_command.COMMAND,
    mcp_command.COMMAND,
    agent_writes_command.COMMAND,
    export_command.COMMAND,
)


def parser(subcommands: Sequence[Subcommand] = SUBCOMMANDS) -> argparse.ArgumentParser:
    """The argument parser of ``erp-gateway`` with one subparser per row of the table."""
    root = argparse.ArgumentParser(
        prog="erp-gateway",
        description="ERP integration gateway: GraphQL in front of your ERPs.",
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True)
    for command in subcommands:
        command.arguments(
            commands.add_parser(command.name, help=command.help, description=command.description)
        )
    return root


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("erp-gateway")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None, subcommands: Sequence[Subcommand] = SUBCOMMANDS) -> int:
    """Runs the subcommand ``argv`` names; its result is the exit code."""
    args = parser(subcommands).parse_args(argv)
    by_name = {command.name: command for command in subcommands}
    return by_name[args.command].run(args)


if __name__ == "__main__":
    raise SystemExit(main())
