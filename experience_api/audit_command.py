"""``erp-gateway audit``: check the audit log's chain, show its newest entries.

``verify`` exits 0 when every entry is intact, 1 when it finds an edited, removed or
inserted entry, a head moved without the key or a log emptied of its head (each problem is
printed), 2 on bad arguments or configuration. ``tail`` exits 1 when the head is gone.
``verify`` counts the entries checked on stderr when it is a terminal, or with ``--progress``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING

from experience_api.command_support import ProgressLine, Subcommand, run_on_state, state_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from experience_api.settings import Settings
    from process_apis.audit.model import AuditEntry


def _arguments(audit: argparse.ArgumentParser) -> None:
    state = state_options()
    actions = audit.add_subparsers(dest="action", required=True)
    verify = actions.add_parser(
        "verify", parents=[state], help="check every entry; exit 1 if any was changed or removed"
    )
    verify.add_argument(
        "--expect-head",
        metavar="HASH",
        help="an entry hash noted earlier (e.g. from 'audit tail'); it must still be in the log",
    )
    verify.add_argument(
        "--progress",
        action="store_true",
        help="show progress on stderr even when it is not a terminal",
    )
    tail = actions.add_parser("tail", parents=[state], help="print the newest entries as JSON")
    tail.add_argument("-n", type=int, default=20, help="how many (default 20)")


def run(args: argparse.Namespace) -> int:
    return run_on_state(args, lambda settings, engine: _run(settings, engine, args))


async def _run(settings: Settings, engine: AsyncEngine, args: argparse.Namespace) -> int:
    from experience_api.security.audit_key import load_audit_key
    from process_apis.audit.sql_store import SqlAuditLog
    from process_apis.audit.verification import verify_chain

    key = load_audit_key(settings.audit_key, settings.audit_key_file, settings.data_dir)
    log = SqlAuditLog(engine, key)
    head = await log.head()
    if args.action == "tail":
        if head is None:
            print(
                "erp-gateway: the audit log's head row is missing (the log was emptied); "
                "run 'erp-gateway audit verify'",
                file=sys.stderr,
            )
            return 1
        async for entry in log.entries(after_seq=max(0, head.seq - args.n)):
            print(entry.model_dump_json())
        return 0
    show = args.progress or sys.stderr.isatty()
    progress = ProgressLine("audit verify", sys.stderr, "entries") if show else None
    try:
        result = await verify_chain(
            key,
            _counted(log.entries(), progress),
            recorded_head=head,
            expected_head=args.expect_head,
        )
    finally:
        if progress is not None:
            progress.done()
    summary = {
        "intact": result.intact,
        "entries": result.entries,
        "head": {"seq": result.head_seq, "hash": result.head_hash},
        "problems": result.problems,
        "notes": result.notes,
    }
    print(json.dumps(summary, indent=2))
    return 0 if result.intact else 1


async def _counted(
    entries: AsyncIterable[AuditEntry], progress: ProgressLine | None
) -> AsyncIterator[AuditEntry]:
    """``entries`` as they are read, counted on ``progress``."""
    count = 0
    async for entry in entries:
        yield entry
        count += 1
        if progress is not None:
            progress(count)


COMMAND = Subcommand(
    name="audit",
    help="check and read the tamper-evident audit log",
    arguments=_arguments,
    run=run,
)
