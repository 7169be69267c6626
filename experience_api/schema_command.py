"""``erp-gateway export-schema``: print the GraphQL SDL (``make schema`` keeps
``experience_api/schema.graphql`` from it)."""

from __future__ import annotations

import argparse
import sys

from experience_api.command_support import Subcommand


def run(args: argparse.Namespace) -> int:
    from experience_api.schema import export_sdl

    sys.stdout.write(export_sdl())
    return 0


COMMAND = Subcommand(
    name="export-schema", help="print the GraphQL SDL", arguments=lambda _parser: None, run=run
)
