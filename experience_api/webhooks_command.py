"""``erp-gateway webhooks``: manage outbound webhook subscriptions and their deliveries.

Works on the state database directly (the gateway may be running or not). Exit codes:
0 done; 2 bad arguments, configuration or input; 3 refused: no such subscription or
delivery, or the delivery is being sent right now.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from experience_api.command_support import (
    EXIT_REFUSED,
    EXIT_USAGE,
    Subcommand,
    fail,
    print_json,
    run_on_state,
    state_options,
)
from process_apis.events.model import EventType
from process_apis.webhooks.model import DeliveryStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from experience_api.settings import Settings
    from process_apis.webhooks.admin import WebhookAdmin


def _arguments(webhooks: argparse.ArgumentParser) -> None:
    state = state_options()
    actions = webhooks.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[state], help="list subscriptions")
    listing.add_argument("--json", action="store_true", help="print JSON")
    add = actions.add_parser(
        "add", parents=[state], help="subscribe a URL; prints the signing secret once"
    )
    add.add_argument("url")
    add.add_argument(
        "--event",
        action="append",
        choices=[t.value for t in EventType],
        help="an event type to receive (repeat; default: every type)",
    )
    add.add_argument(
        "--connection", action="append", help="only events of this connection (repeat)"
    )
    add.add_argument("--description")
    deliveries = actions.add_parser(
        "deliveries", parents=[state], help="the delivery log, newest first"
    )
    deliveries.add_argument("--subscription", help="only deliveries of this subscription")
    deliveries.add_argument("--status", choices=[s.value for s in DeliveryStatus])
    deliveries.add_argument("--event", help="only deliveries of this event id")
    deliveries.add_argument("--limit", type=int, default=50)
    deliveries.add_argument("--json", action="store_true", help="print JSON with every attempt")
    redeliver = actions.add_parser(
        "redeliver", parents=[state], help="send a delivery again (any status)"
    )
    redeliver.add_argument("delivery_id")
    disable = actions.add_parser("disable", parents=[state], help="pause a subscription")
    disable.add_argument("id")
    disable.add_argument("--reason")
    actions.add_parser("enable", parents=[state], help="resume a subscription").add_argument("id")
    actions.add_parser(
        "rotate-secret", parents=[state], help="new signing secret; prints it once"
    ).add_argument("id")
    actions.add_parser(
        "delete", parents=[state], help="remove a subscription and its deliveries"
    ).add_argument("id")


def run(args: argparse.Namespace) -> int:
    return run_on_state(args, lambda settings, engine: _run(settings, engine, args))


async def _run(settings: Settings, engine: AsyncEngine, args: argparse.Namespace) -> int:
    import datetime as dt

    from sqlalchemy.exc import SQLAlchemyError

    from process_apis.errors import FlowError, InvalidInput
    from process_apis.webhooks.admin import WebhookAdmin
    from process_apis.webhooks.sql_store import SqlWebhookStore

    admin = WebhookAdmin(
        SqlWebhookStore(engine),
        [c.name for c in settings.connections],
        rotation_grace=dt.timedelta(hours=settings.webhooks.secret_rotation_grace_hours),
        allow_private_targets=settings.webhooks.private_targets_allowed(settings.mode),
    )
    try:
        return await _act(admin, args)
    except FlowError as exc:
        return fail(exc.message, EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_REFUSED)
    except (SQLAlchemyError, OSError) as exc:
        return fail(f"cannot open the gateway's state database: {exc}")


async def _act(admin: WebhookAdmin, args: argparse.Namespace) -> int:
    from process_apis.webhooks.model import DeliveryFilter

    if args.action == "list":
        subscriptions = await admin.list()
        if args.json:
            print_json([s.as_json() for s in subscriptions])
        for s in [] if args.json else subscriptions:
            types = ",".join(s.event_types) if s.event_types else "all events"
            conns = ",".join(s.connections) if s.connections else "all connections"
            reason = f"  ({s.disabled_reason})" if s.disabled_reason else ""
            print(f"{s.id}  {s.status:<8}  {s.url}  [{types}; {conns}]{reason}")
    elif args.action == "add":
        registered = await admin.register(
            args.url,
            event_types=args.event,
            connections=args.connection,
            description=args.description,
        )
        print(f"subscription {registered.subscription.id}")
        print(f"secret {registered.secret}")
        print("(the secret is shown only now; the receiver verifies signatures with it)")
    elif args.action == "deliveries":
        wanted = DeliveryFilter(
            subscription_id=args.subscription,
            status=DeliveryStatus(args.status) if args.status else None,
            event_id=args.event,
        )
        page = await admin.deliveries(wanted, limit=max(args.limit, 1))
        if args.json:
            print_json([d.as_json() for d in page.items])
        for d in [] if args.json else page.items:
            last = d.last_status_code or d.last_error or ""
            print(f"{d.id}  {d.status:<9}  {d.event_type:<22}  {d.event_id}  x{d.attempts}  {last}")
        if page.total > len(page.items):
            print(f"({page.total - len(page.items)} more; raise --limit)", file=sys.stderr)
    elif args.action == "redeliver":
        delivery = await admin.redeliver(args.delivery_id)
        print(f"redelivering {delivery.id} (series {delivery.series})")
    elif args.action == "disable":
        print(f"disabled {(await admin.disable(args.id, args.reason)).id}")
    elif args.action == "enable":
        print(f"enabled {(await admin.enable(args.id)).id}")
    elif args.action == "rotate-secret":
        rotated = await admin.rotate_secret(args.id)
        print(f"secret {rotated.secret}")
        print("(the previous secret keeps signing during the grace period)")
    elif args.action == "delete":
        await admin.delete(args.id)
        print(f"deleted {args.id}")
    return 0


COMMAND = Subcommand(
    name="webhooks",
    help="outbound webhook subscriptions and deliveries (admin)",
    description="Manage the URLs business events are posted to. Exit codes: 0 done, "
    "2 bad input, 3 refused (not found, or being sent right now).",
    arguments=_arguments,
    run=run,
)
