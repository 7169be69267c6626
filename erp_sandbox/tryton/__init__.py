"""Tryton sandbox: a real Tryton database with demo data, built and served in child processes.

Nothing here imports trytond or proteus; they run in their own processes (see ``build``).
"""

from erp_sandbox.tryton.build import (
    TrytonBuildError,
    build_database,
    ensure_database,
    read_build_stamp,
)
from erp_sandbox.tryton.database import (
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_DATABASE,
    TrytonDatabase,
    copy_database,
)
from erp_sandbox.tryton.rpc import TrytonRpc, TrytonRpcError
from erp_sandbox.tryton.serve import serve, start_in_background
from erp_sandbox.tryton.server import RunningTryton, TrytonServer, TrytonServerError, run_server

__all__ = [
    "DEFAULT_ADMIN_PASSWORD",
    "DEFAULT_DATABASE",
    "RunningTryton",
    "TrytonBuildError",
    "TrytonDatabase",
    "TrytonRpc",
    "TrytonRpcError",
    "TrytonServer",
    "TrytonServerError",
    "build_database",
    "copy_database",
    "ensure_database",
    "read_build_stamp",
    "run_server",
    "serve",
    "start_in_background",
]
