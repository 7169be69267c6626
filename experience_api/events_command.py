"""``erp-gateway events status``: the outbox backlog and which replica publishes it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import TYPE_CHECKING

from experience_api.command_support import Subcommand, run_on_state, state_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


def _arguments(events: argparse.ArgumentParser) -> None:
    actions = events.add_subparsers(dest="action", required=True)
    status = actions.add_parser(
        "status",
        parents=[state_options()],
        help="events waiting to be published, the last published, the relay's lease",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    return run_on_state(args, lambda _settings, engine: _status(engine, args.json))


async def _status(engine: AsyncEngine, as_json: bool) -> int:
    from process_apis.events.relay import RELAY_LEASE
    from process_apis.events.status import outbox_status

    status = await outbox_status(engine, RELAY_LEASE)
    now = dt.datetime.now(dt.UTC)
    holder = status.relay_holder
    if status.relay_lease_until is not None and status.relay_lease_until < now:
        holder = None  # expired: nobody publishes until a replica takes it
    row = {
        "waiting": status.waiting,
        "oldest_waiting": _iso(status.oldest_waiting),
        "published": status.published,
        "last_published": _iso(status.last_published),
        "relay": holder,
        "relay_lease_until": _iso(status.relay_lease_until),
    }
    if as_json:
        print(json.dumps(row))
        return 0
    age = "" if status.oldest_waiting is None else f", oldest {_age(now, status.oldest_waiting)}"
    print(f"waiting:   {status.waiting}{age}")
    print(f"published: {status.published} kept, last at {row['last_published'] or '-'}")
    print(f"relay:     {holder or 'none (no replica holds the lease)'}")
    return 0


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _age(now: dt.datetime, then: dt.datetime) -> str:
    return f"{max(0.0, (now - then).total_seconds()):.1f} s ago"


COMMAND = Subcommand(
    name="events",
    help="business events: the outbox and its relay",
    arguments=_arguments,
    run=run,
)
