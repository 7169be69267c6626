"""Tracing is off until an OTLP endpoint is configured."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from experience_api.observability.config import TracingSettings
from experience_api.observability.tracing import tracer_provider
from experience_api.settings import Settings

pytestmark = pytest.mark.unit


def test_off_by_default() -> None:
    settings = Settings()
    assert settings.tracing.enabled is False
    assert tracer_provider(settings.tracing) is None
    assert settings.log_format == "text"


def test_an_endpoint_turns_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERP_GATEWAY_TRACING__OTLP_ENDPOINT", "http://collector:4318/v1/traces")
    monkeypatch.setenv("ERP_GATEWAY_LOG_FORMAT", "json")
    settings = Settings()
    assert settings.tracing.enabled is True
    assert settings.log_format == "json"
    provider = tracer_provider(settings.tracing)
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "erp-gateway"
    provider.shutdown()


@pytest.mark.parametrize("endpoint", ["collector:4318", "grpc://collector:4317"])
def test_an_endpoint_must_be_http(endpoint: str) -> None:
    with pytest.raises(ValidationError, match="otlp_endpoint"):
        TracingSettings(otlp_endpoint=endpoint)
