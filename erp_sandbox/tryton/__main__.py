"""``python -m erp_sandbox.tryton {serve,build}``: run or (re)build the Tryton sandbox."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from erp_sandbox.tryton.build import build_database, read_build_stamp
from erp_sandbox.tryton.database import DEFAULT_ADMIN_PASSWORD, DEFAULT_DATABASE
from erp_sandbox.tryton.serve import DEFAULT_PORT, serve


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m erp_sandbox.tryton", description="Tryton sandbox with demo data"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve (building on first start)"), ("build", "build anew")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--data-dir", type=Path, default=Path("data/tryton-sandbox"))
        command.add_argument("--database", default=DEFAULT_DATABASE)
        command.add_argument("--admin-password", default=DEFAULT_ADMIN_PASSWORD)
        if name == "serve":
            command.add_argument("--host", default="127.0.0.1")
            command.add_argument("--port", type=int, default=DEFAULT_PORT)
            command.add_argument("-v", "--verbose", action="store_true", help="trytond logs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per readiness probe
    if args.command == "serve":
        return serve(
            args.data_dir,
            host=args.host,
            port=args.port,
            database=args.database,
            admin_password=args.admin_password,
            verbose=args.verbose,
            progress=_to_stderr,
        )
    db = build_database(
        args.data_dir,
        database=args.database,
        admin_password=args.admin_password,
        progress=_to_stderr,
    )
    print(json.dumps(read_build_stamp(db.directory, db.name), indent=2))
    return 0


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


raise SystemExit(main())
