"""trytond starts on a free local port, answers JSON-RPC and is gone after the block."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from erp_sandbox.tryton import TrytonServer, catalog, run_server, start_in_background
from erp_sandbox.tryton.rpc import server_version
from erp_sandbox.tryton.server import TrytonServerError
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


class _AnswersLikeTrytond(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"id": 1, "result": "8.2"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_server() -> Iterator[int]:
    """Another JSON-RPC server answering like trytond on a local port: its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnswersLikeTrytond)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_port_another_server_answers_on_is_refused_not_taken_for_trytond(
    tryton_template: TrytonDatabase, tmp_path: Path, other_server: int
) -> None:
    # Before trytond had bound the port itself, the other server's answer to the readiness
    # probe passed for trytond's, and the tests then talked to a stranger.
    server = TrytonServer(copy_database(tryton_template, tmp_path), other_server)
    with pytest.raises(TrytonServerError, match=f":{other_server}"):
        server.start()
    assert server.process is None
    assert server_version(f"http://127.0.0.1:{other_server}") == "8.2"  # left alone
