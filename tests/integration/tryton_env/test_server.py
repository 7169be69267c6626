"""trytond starts on a free local port, answers JSON-RPC and is gone after the block."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from erp_sandbox.tryton import TrytonServer, catalog, run_server, start_in_background
from erp_sandbox.tryton.rpc import server_version
from tests.integration.tryton_env.support import stamped_copy
from tests.tryton_env import TrytonDatabase, TrytonRpc, TrytonRpcError, copy_database


def _port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_server_answers_on_localhost_then_stops(
    tryton_template: TrytonDatabase, tmp_path: Path
) -> None:
    db = copy_database(tryton_template, tmp_path)
    server = TrytonServer(db)
    with server as running:
        process = server.process
        assert process is not None
        assert running.url == f"http://127.0.0.1:{running.port}"
        assert running.database == db.name
        assert server_version(running.url) == "8.2"
        with running.rpc() as rpc:
            assert rpc.login() > 0
    assert process.poll() is not None
    assert server.process is None
    assert not _port_is_open(running.port)
    with pytest.raises(httpx.ConnectError):
        server_version(running.url, timeout=2)
    server.stop()  # stopping twice is harmless


def test_a_wrong_password_is_refused(tryton_rpc: TrytonRpc) -> None:
    with (
        TrytonRpc(tryton_rpc.url, tryton_rpc.database, "admin", "not-the-password") as rpc,
        pytest.raises(TrytonRpcError) as caught,
    ):
        rpc.login()
    assert caught.value.kind == "LoginError"


def test_a_missing_database_is_reported_before_starting(tmp_path: Path) -> None:
    missing = TrytonDatabase(
        tmp_path / "absent.sqlite", "absent", tmp_path / "absent.conf", "gateway-admin"
    )
    with pytest.raises(FileNotFoundError), run_server(missing):
        pass


def test_start_in_background_serves_the_data_dir_database(
    tryton_template: TrytonDatabase, tmp_path: Path
) -> None:
    stamped_copy(tryton_template, tmp_path)
    server = start_in_background(tmp_path)
    try:
        running = server.running
        assert running is not None
        assert running.db.path == tmp_path / "gateway.sqlite"
        with running.rpc() as rpc:
            assert rpc.search_count("sale.sale", []) == len(catalog.HISTORIC_SALES)
    finally:
        server.stop()
    assert not _port_is_open(running.port)
