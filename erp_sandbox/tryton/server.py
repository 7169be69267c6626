"""Running trytond over a sandbox database as a child process, for tests or the CLI.

``run_server`` is the context manager tests use; ``TrytonServer`` is the same thing with explicit
``start``/``stop`` for callers that manage lifetimes themselves (the gateway's ``serve``). The
server listens on 127.0.0.1 by default, on a free port unless one is given; its output goes to a
log file next to the database.
"""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from erp_sandbox.tryton.database import (
    ADMIN_LOGIN,
    TrytonDatabase,
    child_environment,
    python,
)
from erp_sandbox.tryton.rpc import TrytonRpc, TrytonRpcError, server_version

DEFAULT_HOST = "127.0.0.1"
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
_LISTEN_BACKLOG = 128


class TrytonServerError(RuntimeError):
    """trytond did not start (or stopped): the message carries the end of its log."""


@dataclass(frozen=True)
class RunningTryton:
    """A trytond serving one database: JSON-RPC at ``<url>/<database>/rpc/``."""

    url: str
    database: str
    admin_password: str
    port: int
    db: TrytonDatabase
    log_file: Path
    pid: int

    @property
    def rpc_url(self) -> str:
        return f"{self.url}/{self.database}/rpc/"

    def rpc(self, login: str = ADMIN_LOGIN, password: str | None = None) -> TrytonRpc:
        """A JSON-RPC session on this server (the admin's unless told otherwise)."""
        secret = self.admin_password if password is None else password
        return TrytonRpc(self.url, self.database, login, secret)


def listening_socket(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    """A socket bound to ``host:port`` (a free port for 0) and listening: handed to trytond,
    so the port is the server's from the start and nobody else can answer on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=_LISTEN_BACKLOG)
    except OSError as exc:
        raise TrytonServerError(f"cannot listen on {host}:{port}: {exc}") from exc


class TrytonServer:
    """trytond over ``db``: ``start()`` returns once JSON-RPC answers, ``stop()`` ends it."""

    def __init__(
        self,
        db: TrytonDatabase,
        port: int | None = None,
        *,
        host: str = DEFAULT_HOST,
        startup_timeout: float = STARTUP_TIMEOUT,
        verbose: bool = False,
    ) -> None:
        self.db = db
        self.host = host
        self.requested_port = port
        self.startup_timeout = startup_timeout
        self.verbose = verbose
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.running: RunningTryton | None = None

    def __enter__(self) -> RunningTryton:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self._process

    def start(self) -> RunningTryton:
        if self._process is not None:
            raise RuntimeError("this TrytonServer was already started")
        # trytond serves a missing database without complaint until the first login: fail here.
        if not self.db.path.is_file():
            raise FileNotFoundError(f"no Tryton database at {self.db.path}")
        listener = listening_socket(self.host, self.requested_port or 0)
        try:
            self.running = self._start_on(listener)
        except TrytonServerError:
            self.stop()
            raise
        finally:
            listener.close()  # trytond holds its own copy
        return self.running

    def _start_on(self, listener: socket.socket) -> RunningTryton:
        port: int = listener.getsockname()[1]
        log_file = self.db.directory / f"trytond-{self.db.name}-{port}.log"
        self._log = log_file.open("wb")
        env = child_environment(
            {
                "TRYTOND_DATABASE_NAMES": self.db.name,
                "TRYTOND_WEB__LISTEN": f"{self.host}:{port}",
                # trytond serves with werkzeug's run_simple, which takes over an inherited
                # listening socket the way its reloader hands one to the serving process.
                # Binding here closes the gap between finding a free port and trytond
                # binding it, in which another server could take the port and answer the
                # readiness probe in trytond's place.
                "WERKZEUG_RUN_MAIN": "true",
                "WERKZEUG_SERVER_FD": str(listener.fileno()),
            }
        )
        command = [python(), "-m", "trytond.cli", "-c", str(self.db.config_file)]
        if self.verbose:
            command.append("-v")
        options: dict[str, Any] = {}
        if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
            options["preexec_fn"] = _die_with_parent
        self._process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            pass_fds=(listener.fileno(),),
            **options,
        )
        url = f"http://{_url_host(self.host)}:{port}"
        self._wait_ready(url, log_file)
        return RunningTryton(
            url=url,
            database=self.db.name,
            admin_password=self.db.admin_password,
            port=port,
            db=self.db,
            log_file=log_file,
            pid=self._process.pid,
        )

    def _wait_ready(self, url: str, log_file: Path) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                server_version(url, timeout=2.0)
                answered = True
            except (httpx.HTTPError, TrytonRpcError, ValueError):
                answered = False
            code = self._process.poll()
            if code is not None:
                raise TrytonServerError(
                    f"trytond exited with status {code} before answering\n{_tail(log_file)}"
                )
            if answered:
                return
            if time.monotonic() > deadline:
                raise TrytonServerError(
                    f"trytond did not answer at {url} within {self.startup_timeout:.0f} s\n"
                    f"{_tail(log_file)}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Terminate trytond, wait for it, kill it if it lingers. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None

    def wait(self) -> int:
        """Block until trytond exits (foreground serving); returns its exit status."""
        if self._process is None:
            raise RuntimeError("trytond is not running")
        return self._process.wait()


@contextmanager
def run_server(
    db: TrytonDatabase,
    port: int | None = None,
    *,
    host: str = DEFAULT_HOST,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> Iterator[RunningTryton]:
    """Serve ``db`` with trytond for the duration of the ``with`` block."""
    with TrytonServer(db, port, host=host, startup_timeout=startup_timeout) as running:
        yield running


def _die_with_parent() -> None:
    # Runs in the child before trytond starts: the kernel sends it SIGTERM when the thread that
    # started it ends, so a test run killed outright (SIGKILL, CI timeout) leaves no server
    # behind. Only used from the main thread, whose end is the end of the process.
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return DEFAULT_HOST
    return f"[{host}]" if ":" in host else host


def _tail(log_file: Path, lines: int = 30) -> str:
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
