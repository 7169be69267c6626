"""Inbound sources in the settings: complete, consistent, with usable secrets."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError

from experience_api.inbound.config import InboundSettings, InboundSourceSettings
from experience_api.inbound.endpoint import verifiers
from experience_api.settings import Settings

SECRET = "whsec_" + base64.b64encode(b"settings-test-secret-0123456789a").decode()


def source(**fields: object) -> dict[str, object]:
    return {"name": "wms-main", "kind": "wms", "secret": SECRET, "connection": "EU01"} | fields


def test_sources_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(
        "ERP_GATEWAY_INBOUND",
        '{"sources": [{"name": "wms-main", "kind": "wms", '
        f'"secret": "{SECRET}", "connection": "EU01"}}], "max_body_bytes": 65536}}',
    )
    settings = Settings(data_dir=tmp_path)
    [wms] = settings.inbound.sources
    assert (wms.name, wms.kind, wms.connection) == ("wms-main", "wms", "EU01")
    assert wms.signing_secret() == SECRET
    assert settings.inbound.max_body_bytes == 65536
    assert SECRET not in repr(settings)


def test_the_secret_may_come_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "wms.secret"
    secret_file.write_text(SECRET + "\n")
    wms = InboundSourceSettings.model_validate(source(secret=None, secret_file=secret_file))
    assert wms.signing_secret() == SECRET
    assert set(verifiers(InboundSettings(sources=[wms]))) == {"wms-main"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"secret": None}, "set exactly one of secret, secret_file"),
        ({"secret_file": "/run/secrets/x"}, "set exactly one of secret, secret_file"),
        ({"connection": None}, "a wms source needs a connection"),
        ({"kind": "crm", "connection": None}, "a crm source needs a connection"),
        ({"kind": "ftp"}, "Input should be 'wms', 'erp' or 'crm'"),
        ({"name": "has space"}, "String should match pattern"),
    ],
)
def test_incomplete_sources_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        InboundSourceSettings.model_validate(source(**fields))


def test_an_erp_source_needs_no_connection() -> None:
    erp = InboundSourceSettings.model_validate(source(kind="erp", connection=None))
    assert erp.connection is None


def test_sources_must_name_configured_connections_and_be_unique(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown connection 'US01'"):
        Settings(data_dir=tmp_path, inbound={"sources": [source(connection="US01")]})
    with pytest.raises(ValidationError, match="inbound source names must be unique"):
        Settings(data_dir=tmp_path, inbound={"sources": [source(), source()]})


def test_an_unusable_secret_stops_the_start(tmp_path: Path) -> None:
    empty = InboundSourceSettings.model_validate(source(secret="whsec_"))
    with pytest.raises(ValueError, match="wms-main: unusable signing secret"):
        verifiers(InboundSettings(sources=[empty]))
    missing = InboundSourceSettings.model_validate(
        source(secret=None, secret_file=tmp_path / "absent")
    )
    with pytest.raises(ValueError, match="wms-main: unusable signing secret"):
        verifiers(InboundSettings(sources=[missing]))
