"""``erp-gateway capture``: where change capture stands per connection and stream, and how to
make a stream start over.

``status`` prints each stored watermark (``--json`` for machines); ``reset CONNECTION
[--stream S]`` deletes watermarks so the next poll starts again at the connection's
``change_capture.start`` ("now" skips what happened in between; an instant replays from it).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from experience_api.command_support import (
    EXIT_USAGE,
    Subcommand,
    fail,
    run_on_state,
    state_options,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from experience_api.settings import Settings

STREAMS = ("orders", "invoices", "inventory")


def _arguments(capture: argparse.ArgumentParser) -> None:
    state = state_options()
    actions = capture.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", parents=[state], help="print the stored watermarks")
    status.add_argument("--json", action="store_true", help="one JSON object per line")
    reset = actions.add_parser(
        "reset", parents=[state], help="forget watermarks: the next poll starts over"
    )
    reset.add_argument("connection")
    reset.add_argument("--stream", choices=STREAMS, help="one stream (default: all)")


def run(args: argparse.Namespace) -> int:
    return run_on_state(args, lambda settings, engine: _run(settings, engine, args))


async def _run(settings: Settings, engine: AsyncEngine, args: argparse.Namespace) -> int:
    from process_apis.change_capture.sql_store import SqlWatermarkStore

    watermarks = SqlWatermarkStore(engine)

    if args.action == "reset":
        names = [c.name for c in settings.connections]
        if args.connection not in names:
            return fail(f"unknown connection {args.connection!r} (have {names})", EXIT_USAGE)
        count = await watermarks.forget(args.connection, args.stream)
        print(f"forgot {count} watermark(s) of {args.connection}")
        return 0
    marks = await watermarks.list_all()
    for mark in marks:
        row = {
            "connection": mark.connection,
            "stream": mark.stream,
            "watermark": mark.watermark.isoformat(),
            "origin": mark.origin.isoformat(),
            "near_watermark": len(mark.seen),
            "version": mark.version,
        }
        if args.json:
            print(json.dumps(row))
        else:
            print(
                f"{mark.connection:<12} {mark.stream:<10} {row['watermark']}  "
                f"(since {row['origin']}, {mark.version} advances)"
            )
    if not marks and not args.json:
        print("no watermarks yet (no poll has run)")
    return 0


COMMAND = Subcommand(
    name="capture", help="change-capture watermarks", arguments=_arguments, run=run
)
