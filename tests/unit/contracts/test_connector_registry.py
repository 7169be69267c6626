"""Connections are validated and built through the connector registry: one kind, one
connector; unknown kinds and bad settings stop the start with the connection and field named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from experience_api.settings import Settings, load_settings
from system_apis.contracts.connector import Connector, ConnectorSettings
from system_apis.registry import ConnectorRegistry, UnknownKind, installed_connectors
from tests.fakes import toy_connector

TOML = """
[[connections]]
name = "EU01"

[[connections]]
name = "EU02"
base_url = "https://s4.example.com"
username = "GATEWAY"
password_env = "EU02_PASSWORD"
sap_client = "100"
sales_organization = "1710"
order_type = "TA"
currency = "USD"

[connections.resilience]
read_attempts = 5

[[connections]]
name = "US01"
kind = "tryton"
base_url = "https://tryton.example.com"
database = "prod"
warehouse = "WH"
invoice_method = "order"

[connections.change_capture]
enabled = true
"""


def test_the_documented_toml_configuration_still_reads(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(TOML)

    eu01, eu02, us01 = load_settings(config).connections

    assert (eu01.kind, eu02.kind, us01.kind) == ("sap", "sap", "tryton")
    assert eu01.erp.embedded
    assert not eu02.erp.embedded
    assert eu02.resilience.read_attempts == 5
    assert eu02.erp.model_dump(include={"sap_client", "order_type", "currency"}) == {
        "sap_client": "100",
        "order_type": "TA",
        "currency": "USD",
    }
    assert us01.erp.model_dump(include={"warehouse", "invoice_method"}) == {
        "warehouse": "WH",
        "invoice_method": "order",
    }
    assert us01.capture_policy.enabled
    assert not eu02.capture_policy.enabled


def test_connections_from_an_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    connections = [{"name": "US01", "kind": "tryton", "base_url": "http://t", "database": "d"}]
    monkeypatch.setenv("ERP_GATEWAY_CONNECTIONS", json.dumps(connections))

    [us01] = load_settings().connections

    assert us01.kind == "tryton"
    assert us01.erp.model_dump(include={"database"}) == {"database": "d"}


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        ({"name": "X", "kind": "navision"}, "connection 'X': unknown kind 'navision'"),
        ({"name": "X", "kind": "tryton", "base_url": "http://t"}, "(tryton): database: Field"),
        (
            {
                "name": "X",
                "kind": "tryton",
                "base_url": "http://t",
                "database": "d",
                "sap_client": "1",
            },
            "connection 'X' (tryton): sap_client: is not a setting of a tryton connection",
        ),
        (
            {
                "name": "X",
                "kind": "tryton",
                "base_url": "http://t",
                "database": "d",
                "invoice_method": "shipment",
            },
            "connection 'X' (tryton): invoice_method: Input should be",
        ),
    ],
)
def test_a_bad_connection_stops_the_start_naming_it(
    connection: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(connections=[connection])
    assert message in str(raised.value)


def test_a_plugged_in_kind_is_found_only_once_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UnknownKind, match="'toy'"):
        installed_connectors().get("toy")
    toy_connector.install(tmp_path, monkeypatch)

    assert installed_connectors().get("toy") is toy_connector.CONNECTOR
    kinds = [c.kind for c in installed_connectors()]
    assert kinds == sorted(kinds)
    assert kinds.count("toy") == 1
    assert {"business_central", "netsuite", "sap", "toy", "tryton"} <= set(kinds)


def test_one_connector_per_kind() -> None:
    toy = Connector(kind="toy", settings=ConnectorSettings, factory=lambda *_: None)  # type: ignore[arg-type,return-value]
    registry = ConnectorRegistry([toy])
    with pytest.raises(ValueError, match="two connectors for the kind 'toy'"):
        registry.add(toy)


def test_a_connector_builds_only_from_its_own_settings() -> None:
    sap = installed_connectors().get("sap")
    with pytest.raises(TypeError, match="a sap connection needs SapSettings"):
        sap.build("X", toy_connector.ToySettings())
    with pytest.raises(ValueError, match="connection X names no sap system to reach"):
        sap.build("X", sap.settings())


def test_the_connection_examples_of_the_readme_are_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    blocks = [b.split("```")[0] for b in readme.split("```toml")[1:]]
    examples = [b for b in blocks if b.lstrip().startswith("[[connections]]")]
    assert len(examples) >= 2
    # Together: the SAP example reads its employees from the SuccessFactors one.
    config = tmp_path / "examples.toml"
    config.write_text("\n".join(examples).replace("password_file", "# password_file"))
    connections = load_settings(config).connections
    assert len(connections) == len(examples)
    assert all(connection.erp is not None for connection in connections)
