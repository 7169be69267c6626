"""``erp-gateway token``: a bearer token signed by the local development key.

For local use only: production mode refuses (exit 3), since no production gateway trusts
the development key. The token goes to standard output and nowhere else.
"""

from __future__ import annotations

import argparse

from experience_api.command_support import (
    EXIT_REFUSED,
    EXIT_USAGE,
    Subcommand,
    add_state_options,
    fail,
    load,
)
from experience_api.security.permissions import Role, Scope
from experience_api.security.tokens import ALL_COMPANIES


def _arguments(token: argparse.ArgumentParser) -> None:
    add_state_options(token)
    token.add_argument(
        "--role", action="append", default=[], choices=[r.value for r in Role], help="repeatable"
    )
    token.add_argument(
        "--scope",
        action="append",
        default=[],
        choices=[s.value for s in Scope],
        help="a scope granted on top of the roles' (repeatable)",
    )
    token.add_argument(
        "--company",
        action="append",
        default=[],
        help=f"connection the caller may use (repeatable; {ALL_COMPANIES!r} for all)",
    )
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    token.add_argument("--subject", default="developer", help="the token's sub")
    token.add_argument("--client-id", default="erp-gateway-cli", help="the token's azp")


def run(args: argparse.Namespace) -> int:
    from experience_api.security.dev_keys import load_or_create_dev_key

    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    if settings.mode != "local":
        return fail(
            "refused: the gateway runs in production mode, which does not trust development "
            "tokens; get a token from the identity provider",
            EXIT_REFUSED,
        )
    if not args.role and not args.scope:
        return fail("give at least one --role or --scope", EXIT_USAGE)
    if not args.company:
        return fail(
            f"give at least one --company (a connection name, or {ALL_COMPANIES!r})", EXIT_USAGE
        )
    known = {c.name for c in settings.connections}
    unknown = sorted(set(args.company) - known - {ALL_COMPANIES})
    if unknown:
        return fail(f"unknown connection(s) {unknown}; configured: {sorted(known)}", EXIT_USAGE)
    longest = settings.auth.dev_token_max_ttl_seconds
    if not 1 <= args.ttl <= longest:
        return fail(f"--ttl must be between 1 and {longest} seconds", EXIT_USAGE)
    key = load_or_create_dev_key(settings.data_dir)
    print(
        key.issue(
            audience=settings.auth.audience,
            subject=args.subject,
            client_id=args.client_id,
            roles=args.role,
            scopes=args.scope,
            companies=args.company,
            ttl_seconds=args.ttl,
        )
    )
    return 0


COMMAND = Subcommand(
    name="token",
    help="print a development bearer token (local mode only)",
    description="Print a token signed by the data directory's development key, for calling "
    'a gateway in local mode: curl -H "Authorization: Bearer $(erp-gateway token --role sales '
    '--company EU01)" ... Refused in production mode.',
    arguments=_arguments,
    run=run,
)
