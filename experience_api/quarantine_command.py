"""``erp-gateway quarantine``: review requests the gateway accepted but their ERP could not
take: list, show, edit, replay, discard.

Exit codes: 0 done; 1 a replay ran and failed again (the record stays open); 2 bad
arguments, configuration or payload; 3 refused: no such record, or it is not open (or is
being replayed right now). ``replay --all`` shows where it stands on stderr (records done of
how many, and which ERP it is waiting on) when stderr is a terminal, or always with
``--progress``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from experience_api.command_support import (
    EXIT_FAILED,
    EXIT_REFUSED,
    EXIT_USAGE,
    Subcommand,
    fail,
    load,
    print_json,
    refuse_unsafe_state,
    state_options,
)

if TYPE_CHECKING:
    from experience_api.settings import Settings
    from process_apis.quarantine.review import QuarantineReview, ReplayProgress


def _arguments(quarantine: argparse.ArgumentParser) -> None:
    state = state_options()
    actions = quarantine.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[state], help="list records, oldest first")
    listing.add_argument("--status", choices=["pending", "open", "replayed", "discarded"])
    listing.add_argument("--kind")
    listing.add_argument("--connection")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true", help="print JSON")
    actions.add_parser("show", parents=[state], help="print one record").add_argument("id")
    edit = actions.add_parser("edit", parents=[state], help="replace an open record's payload")
    edit.add_argument("id")
    edit.add_argument("--payload", type=Path, required=True, help="JSON file")
    replay = actions.add_parser("replay", parents=[state], help="place open records again")
    replay.add_argument("id", nargs="?")
    replay.add_argument("--all", action="store_true", help="every open record")
    replay.add_argument(
        "--patience",
        type=float,
        default=300.0,
        help="with --all: seconds to wait on an ERP that is down or throttling before its "
        "connection's records are left for another run (default 300)",
    )
    replay.add_argument("--kind", help="with --all: only records of this kind")
    replay.add_argument(
        "--progress",
        action="store_true",
        help="with --all: show progress on stderr even when it is not a terminal",
    )
    discard = actions.add_parser("discard", parents=[state], help="close without placing")
    discard.add_argument("id")
    discard.add_argument("--note", required=True, help="why (kept with the record)")
    discard.add_argument(
        "--release-key", action="store_true", help="free the idempotency key for a resend"
    )


class ReplayProgressLine:
    """``replay: D/N records (replayed R, failed F, skipped S)``, rewritten in place on
    ``stream``, with ``, waiting W s on CONNECTION`` while an ERP is waited out."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = False
        self._width = 0

    def __call__(self, progress: ReplayProgress) -> None:
        text = (
            f"replay: {progress.done}/{progress.total} records (replayed {progress.replayed}, "
            f"failed {progress.failed}, skipped {progress.skipped})"
        )
        if progress.waiting_on is not None:
            text += f", waiting {progress.wait_seconds:.0f} s on {progress.waiting_on}"
        # Padded to cover what a longer line before it left on the terminal.
        self._stream.write(f"\r{text.ljust(self._width)}")
        self._width = len(text)
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


def run(args: argparse.Namespace) -> int:
    from process_apis.errors import FlowError, InvalidInput

    if args.action == "replay" and (args.all == bool(args.id) or (args.kind and not args.all)):
        return fail("give either a record id or --all (with --kind to narrow it)", EXIT_USAGE)
    payload = None
    if args.action == "edit":
        try:
            payload = json.loads(args.payload.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return fail(f"cannot read the payload from {args.payload}: {exc}", EXIT_USAGE)
    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    try:
        return asyncio.run(_review(settings, args, payload))
    except FlowError as exc:
        return fail(exc.message, EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_REFUSED)


async def _review(settings: Settings, args: argparse.Namespace, payload: Any) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from experience_api.bootstrap import build_gateway

    # A replay reaches the ERP the record came from, or none. Checked before the gateway is
    # built, as building it would create an embedded sandbox.
    if refused := await refuse_unsafe_state(settings):
        return refused
    try:
        gateway = await build_gateway(settings)
    except (SQLAlchemyError, OSError) as exc:
        return fail(f"cannot open the gateway's state database: {exc}")
    try:
        return await _act(gateway.services.quarantine, args, payload)
    finally:
        await gateway.aclose()


async def _act(review: QuarantineReview, args: argparse.Namespace, payload: Any) -> int:
    by = f"cli:{_user()}"
    if args.action == "list":
        return await _list(review, args)
    if args.action == "show":
        print_json((await review.get(args.id)).as_json())
    elif args.action == "edit":
        print_json((await review.edit(args.id, payload)).as_json())
    elif args.action == "discard":
        record = await review.discard(args.id, args.note, by=by, release_key=args.release_key)
        print(f"discarded {record.id}")
    elif args.all:
        from process_apis.errors import InvalidInput

        if args.patience < 0:
            raise InvalidInput("--patience: must be 0 or more seconds", field="patience")
        show = args.progress or sys.stderr.isatty()
        line = ReplayProgressLine(sys.stderr) if show else None
        try:
            summary = await review.replay_all(
                args.kind, by=by, patience=args.patience, progress=line
            )
        finally:
            if line is not None:
                line.done()
        print(
            f"replayed {summary.replayed}, failed {summary.failed}, skipped {summary.skipped}, "
            f"left in review {summary.left}"
        )
        return EXIT_FAILED if summary.failed else 0
    else:
        outcome = await review.replay(args.id, by=by)
        if outcome.error is not None:
            return fail(f"replay failed, the record stays open: {outcome.error.message}")
        print(f"replayed {outcome.record.id}: {outcome.record.resolution_result}")
    return 0


async def _list(review: QuarantineReview, args: argparse.Namespace) -> int:
    from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus

    status = QuarantineStatus(args.status) if args.status else None
    query = QuarantineFilter(status=status, kind=args.kind, connection=args.connection)
    page = await review.list(query, limit=max(args.limit, 1))
    if args.json:
        print_json([record.as_json() for record in page.items])
        return 0
    for r in page.items:
        when = r.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"{r.id}  {r.status:<9}  {r.kind}  {r.connection}  {when}  x{r.attempts}  {r.reason}")
    if page.total > len(page.items):
        print(f"({page.total - len(page.items)} more; raise --limit)", file=sys.stderr)
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


COMMAND = Subcommand(
    name="quarantine",
    help="review requests kept in quarantine (admin)",
    description="Review requests the gateway accepted but their ERP could not take. "
    "Exit codes: 0 done, 1 a replay failed again, 2 bad input, 3 refused.",
    arguments=_arguments,
    run=run,
)
