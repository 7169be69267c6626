"""Log lines that say which request they belong to, as text or as JSON.

Every handler gets a :class:`RequestContext` filter: each record carries the request id and
the trace and span ids of the work that logged it. With ``log_format = "json"`` every
handler writes one JSON object a line (:class:`JsonFormatter`); text, uvicorn's own
format, stays the default. The redaction filter (:mod:`experience_api.log_redaction`)
cleans message, arguments and traceback before either formatter sees them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import sys
from typing import Any, Literal

from opentelemetry import trace

from process_apis.observability import current_request_id

LogFormat = Literal["text", "json"]
CONTEXT_FIELDS = ("request_id", "trace_id", "span_id")
EXTRA_FIELDS = ("connection", "record_id")
"""Given with ``extra=`` by the code that logs, written when present."""
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestContext(logging.Filter):
    """Sets ``request_id``, ``trace_id`` and ``span_id`` on each record (None outside a
    request or trace); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        span = trace.get_current_span().get_span_context()
        valid = span.is_valid
        record.trace_id = format(span.trace_id, "032x") if valid else None
        record.span_id = format(span.span_id, "016x") if valid else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's ids, the
    connection and record when given, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            entry[name] = getattr(record, name, None)
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def uvicorn_log_config(log_format: LogFormat) -> dict[str, Any]:
    """uvicorn's logging configuration, its formatters JSON ones for ``json``: the lines it
    writes before the app starts are JSON too."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        json_formatter = f"{JsonFormatter.__module__}.{JsonFormatter.__qualname__}"
        config["formatters"] = {name: {"()": json_formatter} for name in config["formatters"]}
    return config


def install(log_format: LogFormat) -> None:
    """Puts the context filter (and, for JSON, the formatter) on every handler there is now.

    The gateway's own loggers propagate to the root logger; it gets a handler on stderr
    when it has none, so their lines come in the same format as uvicorn's.
    """
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter(TEXT_FORMAT))
        root.addHandler(stderr)
    loggers: list[logging.Logger] = [root]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RequestContext) for f in handler.filters):
                handler.addFilter(RequestContext())
            if log_format == "json":
                handler.setFormatter(JsonFormatter())
