"""The registry of persisted (trusted) operations: documents known by their SHA-256 hash.

A registry is built from a JSON file mapping each document's hash to its text, or from a
directory of ``.graphql`` files (one operation document each), hashed when the gateway
starts. The hash is the lowercase hex SHA-256 of the document's UTF-8 text, exactly as a
client sends it (what Apollo's automatic persisted queries compute).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from graphql import ExecutableDefinitionNode, GraphQLError, parse

HASH_PREFIX = "sha256:"


class RegistryError(ValueError):
    """A registry file or directory that cannot be trusted as it is."""


def document_hash(document: str) -> str:
    """The id of ``document``: hex SHA-256 of its exact UTF-8 text."""
    return hashlib.sha256(document.encode()).hexdigest()


def normalise_id(document_id: str) -> str:
    """A document id as sent (``sha256:<hex>`` or bare hex) in the registry's form."""
    value = document_id.strip().lower()
    return value.removeprefix(HASH_PREFIX)


class OperationRegistry(Mapping[str, str]):
    """Trusted documents by hash; read-only once built."""

    def __init__(self, documents: Mapping[str, str]) -> None:
        self._documents = dict(documents)

    def __getitem__(self, key: str) -> str:
        return self._documents[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)

    def lookup(self, document_id: str) -> str | None:
        return self._documents.get(normalise_id(document_id))

    def holds(self, document: str) -> bool:
        """True when this exact document text is registered."""
        return document_hash(document) in self._documents

    @classmethod
    def load(cls, path: Path) -> OperationRegistry:
        """From a JSON map ``{hash: document}`` or a directory of ``.graphql`` files."""
        if path.is_dir():
            return cls.from_directory(path)
        if not path.is_file():
            raise RegistryError(f"persisted operations not found: {path}")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RegistryError(f"{path}: not a JSON object of documents: {exc}") from exc
        if not isinstance(raw, dict):
            raise RegistryError(f"{path}: expected a JSON object mapping sha256 hash to document")
        documents: dict[str, str] = {}
        for key, document in raw.items():
            if not isinstance(document, str):
                raise RegistryError(f"{path}: the entry {key!r} is not a document string")
            digest = document_hash(document)
            if normalise_id(key) != digest:
                raise RegistryError(
                    f"{path}: the entry {key!r} does not match its document (sha256 {digest})"
                )
            _check_parses(document, f"{path}: entry {key}")
            documents[digest] = document
        return cls(documents)

    @classmethod
    def from_directory(cls, directory: Path) -> OperationRegistry:
        documents: dict[str, str] = {}
        for file in sorted(directory.rglob("*.graphql")):
            document = file.read_text(encoding="utf-8")
            _check_parses(document, str(file))
            documents[document_hash(document)] = document
        if not documents:
            raise RegistryError(f"no .graphql files under {directory}")
        return cls(documents)

    def to_json(self) -> str:
        """The registry as a JSON file :meth:`load` reads back."""
        return json.dumps(dict(sorted(self._documents.items())), indent=2) + "\n"


def _check_parses(document: str, where: str) -> None:
    try:
        parsed = parse(document)
    except GraphQLError as exc:
        raise RegistryError(f"{where}: not a GraphQL document: {exc.message}") from exc
    if not all(isinstance(d, ExecutableDefinitionNode) for d in parsed.definitions):
        raise RegistryError(f"{where}: holds type definitions, not only operations and fragments")
