"""``erp-gateway persisted-ops build``: a directory of operations becomes a registry file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from experience_api.persisted.registry import OperationRegistry, document_hash

ORDERS = "query Orders { salesOrders(first: 2) { nodes { number } } }\n"


def build(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "experience_api.cli", "persisted-ops", "build", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_build_prints_a_registry_the_gateway_loads(tmp_path: Path) -> None:
    operations = tmp_path / "operations"
    operations.mkdir()
    (operations / "orders.graphql").write_text(ORDERS)
    done = build(operations)
    assert done.returncode == 0, done.stderr
    file = tmp_path / "registry.json"
    file.write_text(done.stdout)
    assert dict(OperationRegistry.load(file)) == {document_hash(ORDERS): ORDERS}


def test_an_operation_the_schema_cannot_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "orders.graphql").write_text(ORDERS)
    (tmp_path / "typo.graphql").write_text("{ salesOrderz { nodes { number } } }")
    done = build(tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Cannot query field 'salesOrderz' on type 'Query'." in done.stderr


def test_a_directory_without_operations_is_refused(tmp_path: Path) -> None:
    done = build(tmp_path)
    assert done.returncode == 2
    assert "no .graphql files" in done.stderr
