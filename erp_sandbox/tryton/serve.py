"""Serving the Tryton sandbox from a data directory: built on first start, reused afterwards.

``serve`` runs trytond in the foreground until it exits or is interrupted (the ``python -m
erp_sandbox.tryton serve`` command); ``start_in_background`` returns a started ``TrytonServer``
for a caller that runs something else in the foreground and stops trytond itself.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from erp_sandbox.tryton.build import DEFAULT_TIMEOUT, ensure_database
from erp_sandbox.tryton.database import DEFAULT_ADMIN_PASSWORD, DEFAULT_DATABASE
from erp_sandbox.tryton.progress import Report
from erp_sandbox.tryton.server import DEFAULT_HOST, TrytonServer

logger = logging.getLogger(__name__)

# Tryton's own default, 8000, is the gateway's port.
DEFAULT_PORT = 8090


def start_in_background(
    data_dir: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int | None = None,
    database: str = DEFAULT_DATABASE,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
    build_timeout: float = DEFAULT_TIMEOUT,
    verbose: bool = False,
    progress: Report | None = None,
) -> TrytonServer:
    """Build the database in ``data_dir`` if needed, start trytond and return once it answers.

    ``server.running`` then holds ``url``, ``database`` and ``admin_password``; call
    ``server.stop()`` when done. ``port=None`` picks a free port. ``progress`` hears the steps
    of a build.
    """
    db = ensure_database(
        data_dir,
        database=database,
        admin_password=admin_password,
        timeout=build_timeout,
        progress=progress,
    )
    server = TrytonServer(db, port, host=host, verbose=verbose)
    server.start()
    return server


def serve(
    data_dir: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    database: str = DEFAULT_DATABASE,
    admin_password: str = DEFAULT_ADMIN_PASSWORD,
    build_timeout: float = DEFAULT_TIMEOUT,
    verbose: bool = False,
    progress: Report | None = None,
) -> int:
    """Serve the sandbox until trytond exits or the process is interrupted; returns the status."""
    server = start_in_background(
        data_dir,
        host=host,
        port=port,
        database=database,
        admin_password=admin_password,
        build_timeout=build_timeout,
        verbose=verbose,
        progress=progress,
    )
    running = server.running
    assert running is not None
    print(
        f"Tryton {database!r} at {running.url} (JSON-RPC {running.rpc_url}), "
        f"login admin; log in {running.log_file}",
        flush=True,
    )
    # SIGTERM (docker stop, systemd, kill) would end Python without running ``finally``:
    # turn it into an exit so trytond is stopped too.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_signal) if in_main_thread else None
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
