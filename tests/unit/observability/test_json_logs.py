"""JSON log lines: one object a line, with the request's ids, and redacted like text ones."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from experience_api.log_redaction import REDACTED, RedactingFilter
from experience_api.observability.logs import JsonFormatter, RequestContext
from process_apis.observability import request_id_set, tracer
from tests.support.tracing import Spans

pytestmark = pytest.mark.unit

SECRET = "Pa55-word-for-sap"


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler is set up as the gateway sets up each of its handlers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContext())
    handler.addFilter(RedactingFilter([SECRET]))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.json-logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_names_its_request_trace_connection_and_record(
    written: tuple[logging.Logger, io.StringIO], spans: Spans
) -> None:
    logger, stream = written
    with request_id_set("req-1"), tracer().start_as_current_span("work") as span:
        logger.warning(
            "order %s is late", "EU01:42", extra={"connection": "EU01", "record_id": "EU01:42"}
        )
    logger.info("between requests")

    inside, outside = _lines(stream)
    context = span.get_span_context()
    assert inside["message"] == "order EU01:42 is late"
    assert (inside["level"], inside["logger"]) == ("warning", "test.json-logs")
    assert inside["request_id"] == "req-1"
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert (inside["connection"], inside["record_id"]) == ("EU01", "EU01:42")
    assert (outside["request_id"], outside["trace_id"]) == (None, None)
    assert "connection" not in outside


def test_secrets_are_redacted_in_message_arguments_and_traceback(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    try:
        raise RuntimeError(f"login with {SECRET} failed")
    except RuntimeError:
        logger.exception("SAP said no to %s (%s)", SECRET, "password=hunter22")

    [line] = _lines(stream)
    assert SECRET not in stream.getvalue()
    assert "hunter22" not in stream.getvalue()
    assert line["message"] == f"SAP said no to {REDACTED} (password={REDACTED})"
    assert isinstance(line["exception"], str)
    assert "RuntimeError: login with [redacted] failed" in line["exception"]
