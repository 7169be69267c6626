"""The configured ERP connections, and how a canonical id finds its adapter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from process_apis.errors import InvalidInput
from system_apis.contracts.models import split_id
from system_apis.contracts.port import ErpAdapter


class Connections:
    """Adapters by connection name; the first one configured is the default."""

    def __init__(self, adapters: Mapping[str, ErpAdapter]):
        if not adapters:
            raise ValueError("at least one ERP connection is required")
        self._adapters = dict(adapters)
        self.default_name = next(iter(self._adapters))

    def __iter__(self) -> Iterator[ErpAdapter]:
        return iter(self._adapters.values())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._adapters)

    def get(self, name: str | None = None) -> ErpAdapter:
        """The named connection, or the default one; InvalidInput when unknown."""
        key = self.default_name if name is None else name
        try:
            return self._adapters[key]
        except KeyError:
            raise InvalidInput(f"unknown connection {key!r}", field="connection") from None

    def resolve(self, record_id: str, *, field: str = "id") -> tuple[ErpAdapter, str]:
        """The adapter that owns a canonical id, and the id native to it."""
        try:
            name, native = split_id(record_id)
        except ValueError:
            raise InvalidInput(f"malformed id {record_id!r}", field=field) from None
        if name not in self._adapters:
            raise InvalidInput(f"id {record_id!r} names no configured connection", field=field)
        return self._adapters[name], native

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
