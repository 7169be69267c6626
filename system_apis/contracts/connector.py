"""What an ERP package offers the composition root: a connector.

A connector is an ERP kind's settings model (the options of one connection that only this
ERP knows: address, credentials, organisational data...) and a factory that builds an
adapter from them. :mod:`system_apis.registry` maps each kind to its connector; the generic
part of a connection (name, kind, resilience, change capture) is the upper layers' business.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from system_apis.contracts.port import ErpAdapter


class ConnectorSettings(BaseModel):
    """Base of an ERP kind's connection settings; a key the model does not name is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def embedded(self) -> bool:
        """True when the settings name no ERP to reach: the composition root must serve the
        connection from an emulator (see :class:`Endpoint`)."""
        return False

    @property
    def employees_from(self) -> str | None:
        """The connection this one reads its employees from (of a kind whose connector is
        ``paired``), or None: employees are the connection's own business."""
        return None


class Credentials(ConnectorSettings):
    """Where a connection's password comes from: a file (container secrets), an environment
    variable named here, or the value itself (for local use); the first one set wins."""

    password: SecretStr | None = None
    password_file: Path | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    def secret(self) -> str | None:
        if self.password_file is not None:
            return self.password_file.read_text().strip()
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ValueError(f"environment variable {self.password_env} is not set")
            return value
        return self.password.get_secret_value() if self.password else None


@dataclass(frozen=True)
class Endpoint:
    """Where to reach an embedded connection's ERP instead of a configured address: an
    emulator that the composition root runs, its transport and the credentials it accepts."""

    base_url: str
    transport: httpx.AsyncBaseTransport
    username: str
    password: str


S = TypeVar("S", bound=ConnectorSettings)

Factory = Callable[[str, S, Endpoint | None], ErpAdapter]
"""Builds the adapter of the connection named by the first argument; the endpoint is given
for embedded settings only. Opens nothing that needs awaiting: clients connect lazily."""


@runtime_checkable
class ReadsEmployeesElsewhere(Protocol):
    """An adapter whose employees live in another system, paired with it at start-up (an
    S/4HANA connection reads them from SuccessFactors)."""

    def read_employees_from(self, employees: ErpAdapter) -> None:
        """Answer employee reads from ``employees`` (built under this adapter's connection
        name, so its records carry this connection's ids); closed with this adapter."""
        ...


@dataclass(frozen=True)
class Connector(Generic[S]):
    """An ERP kind: the model its connection settings are validated with, and its factory.

    A ``paired`` kind is no gateway connection of its own: it serves the connections that
    name it (see :attr:`ConnectorSettings.employees_from`), each through an adapter built
    under that connection's name.
    """

    kind: str
    settings: type[S]
    factory: Factory[S]
    paired: bool = False

    def build(
        self, connection: str, settings: ConnectorSettings, endpoint: Endpoint | None = None
    ) -> ErpAdapter:
        """The adapter of one connection; ``settings`` must be this kind's."""
        if not isinstance(settings, self.settings):
            raise TypeError(f"a {self.kind} connection needs {self.settings.__name__}")
        if settings.embedded and endpoint is None:
            raise ValueError(f"connection {connection} names no {self.kind} system to reach")
        return self.factory(connection, settings, endpoint)


AnyConnector = Connector[Any]
