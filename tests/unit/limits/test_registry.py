"""The persisted operations registry: built from a JSON map or a directory, checked on load."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from experience_api.persisted.registry import OperationRegistry, RegistryError, document_hash

ORDERS = "query Orders { salesOrders(first: 5) { nodes { number } } }\n"


def test_the_id_is_the_sha256_of_the_exact_text() -> None:
    assert document_hash(ORDERS) == hashlib.sha256(ORDERS.encode()).hexdigest()
    assert document_hash(ORDERS) != document_hash(ORDERS.strip())


def test_a_directory_is_hashed_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "orders.graphql").write_text(ORDERS)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "types.graphql").write_text("{ __typename }")
    (tmp_path / "notes.txt").write_text("not an operation")
    registry = OperationRegistry.load(tmp_path)
    assert len(registry) == 2
    assert registry.lookup(document_hash(ORDERS)) == ORDERS
    assert registry.lookup("sha256:" + document_hash(ORDERS).upper()) == ORDERS
    assert registry.holds(ORDERS)
    assert not registry.holds(ORDERS + " ")


def test_a_json_file_round_trips(tmp_path: Path) -> None:
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "orders.graphql").write_text(ORDERS)
    built = OperationRegistry.load(tmp_path / "ops")
    file = tmp_path / "registry.json"
    file.write_text(built.to_json())
    assert dict(OperationRegistry.load(file)) == dict(built)


def test_an_entry_that_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "registry.json"
    file.write_text(json.dumps({document_hash("{ __typename }"): ORDERS}))
    with pytest.raises(RegistryError, match="does not match its document"):
        OperationRegistry.load(file)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "expected a JSON object"),
        ("{not json", "not a JSON object"),
        (json.dumps({"ab": 5}), "is not a document string"),
        (json.dumps({document_hash("{ oops "): "{ oops "}), "not a GraphQL document"),
        (json.dumps({document_hash("type T { a: Int }"): "type T { a: Int }"}), "type defin"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "registry.json"
    file.write_text(content)
    with pytest.raises(RegistryError, match=message):
        OperationRegistry.load(file)


def test_a_missing_path_or_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        OperationRegistry.load(tmp_path / "absent.json")
    with pytest.raises(RegistryError, match=r"no \.graphql files"):
        OperationRegistry.load(tmp_path)
