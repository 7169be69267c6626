"""The connector registry: which ERP kinds the gateway can connect, by the ``kind`` of a
connection.

:func:`installed_connectors` holds the built-in kinds (``sap``, ``successfactors``,
``tryton``, ``business_central``, ``netsuite``) and any connector another installed package offers
under the entry-point group ``erp_gateway.connectors``
(``toy = my_package.connector:CONNECTOR``), so adding an ERP adds one package and names it
nowhere else. Settings validation and the composition root look kinds up here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import entry_points

from system_apis.contracts.connector import AnyConnector, Connector

ENTRY_POINT_GROUP = "erp_gateway.connectors"


class UnknownKind(ValueError):
    """No connector is registered for a connection's kind."""


class ConnectorRegistry:
    """Connectors by kind; ``discover`` (called once, at the first kind not yet known) adds
    those found elsewhere, so connections of built-in kinds never pay for looking."""

    def __init__(
        self,
        connectors: Iterable[AnyConnector] = (),
        *,
        discover: Callable[[], Iterable[AnyConnector]] | None = None,
    ) -> None:
        self._by_kind: dict[str, AnyConnector] = {}
        self._discover = discover
        for connector in connectors:
            self.add(connector)

    def add(self, connector: AnyConnector) -> None:
        if not isinstance(connector, Connector):
            raise TypeError(f"not a connector: {connector!r}")
        if connector.kind in self._by_kind:
            raise ValueError(f"two connectors for the kind {connector.kind!r}")
        self._by_kind[connector.kind] = connector

    def get(self, kind: str) -> AnyConnector:
        if kind not in self._by_kind:
            self._discovered()
        try:
            return self._by_kind[kind]
        except KeyError:
            known = ", ".join(sorted(self._by_kind))
            raise UnknownKind(f"unknown kind {kind!r} (known: {known})") from None

    def __iter__(self) -> Iterator[AnyConnector]:
        self._discovered()
        return iter(sorted(self._by_kind.values(), key=lambda c: c.kind))

    def _discovered(self) -> None:
        discover, self._discover = self._discover, None
        if discover is not None:
            for connector in discover():
                self.add(connector)


def installed_connectors() -> ConnectorRegistry:
    """The built-in connectors, and those installed packages register as plug-ins."""
    # Imported here, not at the top: an ERP package is loaded when a connection needs it.
    from system_apis.business_central.connector import CONNECTOR as BUSINESS_CENTRAL
    from system_apis.netsuite.connector import CONNECTOR as NETSUITE
    from system_apis.sap.connector import CONNECTOR as SAP
    from system_apis.successfactors.connector import CONNECTOR as SUCCESSFACTORS
    from system_apis.tryton.connector import CONNECTOR as TRYTON

    return ConnectorRegistry(
        [SAP, SUCCESSFACTORS, TRYTON, BUSINESS_CENTRAL, NETSUITE], discover=_plugins
    )


def _plugins() -> Iterator[AnyConnector]:
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        connector = entry.load()
        if not isinstance(connector, Connector) or connector.kind != entry.name:
            raise TypeError(
                f"entry point {entry.name} = {entry.value} of {ENTRY_POINT_GROUP} is not "
                f"a Connector of kind {entry.name!r}"
            )
        yield connector
