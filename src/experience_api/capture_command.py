"""``erp-gateway capture``: where change capture stands per connection and stream, and how to
make a stream start over.

``status`` prints each stored watermark (``--json`` for machines); ``reset CONNECTION
[--stream S]`` deletes watermarks so the next poll starts again at the connection's
``change_capture.start`` ("now" skips what happened in between; an instant replays from it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

STREAMS = ("orders", "invoices", "inventory")


def add_parser(commands: Any) -> None:
    """Registers ``capture status`` and ``capture reset`` on the CLI's subcommands."""
    state = argparse.ArgumentParser(add_help=False)
    state.add_argument("--config", type=Path, help="TOML configuration file")
    state.add_argument("--data-dir", type=Path, help="directory for state files (default ./data)")
    capture = commands.add_parser("capture", help="change-capture watermarks")
    actions = capture.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", parents=[state], help="print the stored watermarks")
    status.add_argument("--json", action="store_true", help="one JSON object per line")
    reset = actions.add_parser(
        "reset", parents=[state], help="forget watermarks: the next poll starts over"
    )
    reset.add_argument("connection")
    reset.add_argument("--stream", choices=STREAMS, help="one stream (default: all)")


def run(args: argparse.Namespace) -> int:
    from experience_api.settings import load_settings

    try:
        settings = load_settings(args.config, data_dir=args.data_dir)
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"erp-gateway: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    return asyncio.run(_run(settings, args))


async def _run(settings: Any, args: argparse.Namespace) -> int:
    from process_apis.change_capture import watermarks
    from process_apis.persistence.database import create_engine, migrate

    engine = create_engine(settings.state_url)
    try:
        await migrate(engine)
        if args.action == "reset":
            names = [c.name for c in settings.connections]
            if args.connection not in names:
                print(
                    f"erp-gateway: unknown connection {args.connection!r} (have {names})",
                    file=sys.stderr,
                )
                return 2
            async with engine.begin() as conn:
                count = await watermarks.forget(conn, args.connection, args.stream)
            print(f"forgot {count} watermark(s) of {args.connection}")
            return 0
        async with engine.connect() as conn:
            marks = await watermarks.list_all(conn)
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
    finally:
        await engine.dispose()
