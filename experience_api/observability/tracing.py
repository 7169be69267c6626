"""Start-up and shutdown of the OpenTelemetry SDK: spans to an OTLP/HTTP endpoint."""

from __future__ import annotations

import logging

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from experience_api.observability.config import TracingSettings

log = logging.getLogger(__name__)


def tracer_provider(settings: TracingSettings) -> TracerProvider | None:
    """A provider exporting to ``settings.otlp_endpoint`` in batches; None when tracing is off."""
    if settings.otlp_endpoint is None:
        return None
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: settings.service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint, headers=dict(settings.headers))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def start_tracing(settings: TracingSettings) -> TracerProvider | None:
    """Makes the configured provider the process's own; None (and no change) when off.

    OpenTelemetry takes one provider per process: a second start keeps the first.
    """
    provider = tracer_provider(settings)
    if provider is not None:
        trace.set_tracer_provider(provider)
        log.info("tracing: spans go to %s", settings.otlp_endpoint)
    return provider
