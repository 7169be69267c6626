"""The local services the tests use (PostgreSQL, RabbitMQ, Redis) and what to do without one.

Outside CI a service that is not reachable skips the test with the reason; in CI (``CI`` set)
it fails it, so a broken CI service never passes as a green run.
"""

from __future__ import annotations

import os
import socket

import pytest

HOST = "127.0.0.1"
POSTGRES_PORT = 5432
RABBITMQ_PORT = 5672
REDIS_PORT = 6379


def reachable(port: int, host: str = HOST) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(port: int, service: str, host: str = HOST) -> None:
    """Skip the running test (fail it in CI) unless ``service`` listens on ``host:port``."""
    if reachable(port, host):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{service} on {host}:{port} is required in CI")
    pytest.skip(f"{service} on {host}:{port} is not reachable")


def require_postgres() -> None:
    """Skip (fail in CI) unless the PostgreSQL service is reachable."""
    require(POSTGRES_PORT, "PostgreSQL")
