"""``erp-gateway persisted-ops build DIR``: the registry of a directory's operations, as JSON.

Every ``.graphql`` file under DIR is hashed and validated against the gateway's schema, so
an operation the gateway could not run never enters the registry. The JSON goes to stdout
(``> registry.json``); problems go to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experience_api.command_support import EXIT_USAGE, Subcommand, fail


def _arguments(persisted: argparse.ArgumentParser) -> None:
    actions = persisted.add_subparsers(dest="action", required=True)
    build = actions.add_parser(
        "build",
        help="hash and check every .graphql file under DIR; print the registry as JSON",
    )
    build.add_argument("directory", type=Path, help="directory of .graphql operation documents")


def run(args: argparse.Namespace) -> int:
    from graphql import parse, validate

    from experience_api.persisted.registry import OperationRegistry, RegistryError
    from experience_api.schema import build_schema

    try:
        registry = OperationRegistry.from_directory(args.directory)
    except (OSError, RegistryError) as exc:
        return fail(str(exc), EXIT_USAGE)
    schema = build_schema()._schema
    problems = [
        f"{digest[:12]}: {error.message}"
        for digest, document in sorted(registry.items())
        for error in validate(schema, parse(document))
    ]
    if problems:
        print("erp-gateway: operations that do not fit the schema:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(registry.to_json())
    print(f"{len(registry)} operations", file=sys.stderr)
    return 0


COMMAND = Subcommand(
    name="persisted-ops",
    help="build the registry of persisted (trusted) operations",
    arguments=_arguments,
    run=run,
)
