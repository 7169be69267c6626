"""Start the gateway's own commands as real processes on free loopback ports, and stop them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def command(
    args: Sequence[str],
    ready_url: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    output: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``erp-gateway <args>`` until the block ends; wait until ``ready_url`` answers.

    The output goes to a file (``output``, or a temporary one), not a pipe: a pipe nobody
    reads fills up with access logs and then blocks the server in the middle of a request.
    """
    with open(output, "w+b") if output else tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "experience_api.cli", *args],
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(process, log, args, ready_url)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(
    process: subprocess.Popen[bytes], log: IO[bytes], args: Sequence[str], ready_url: str
) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"{args} exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(ready_url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{args} not ready at {ready_url}")
        time.sleep(0.2)
