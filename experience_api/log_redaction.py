"""Keeping secrets and personal data out of the logs.

A filter on every log handler rewrites each record before it is written: the values of
the configured secrets (ERP passwords, keys, webhook secrets) and anything shaped like a
credential (bearer tokens and JWTs, basic credentials, ``whsec_`` secrets, passwords in
URLs, IBANs) become ``[redacted]``, in the message and in the traceback alike. HTTP
client request logs, whose URLs carry ERP filters with names in them, are kept to
warnings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, SecretStr

REDACTED = "[redacted]"

_PATTERNS = [
    # Authorization: Bearer <token> / Basic <credentials>, in headers or text
    (re.compile(r"(?i)\b(bearer|basic|session)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # a JWT anywhere
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=]+"), REDACTED),
    # scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@"), r"\1:" + REDACTED + "@"),
    # "password": "...", password=..., secret=..., token=...
    (
        re.compile(
            r"(?i)([\"']?(?:password|passwd|secret|token|api_key|apikey)[\"']?\s*[:=]\s*)"
            r"(\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
        ),
        r"\1" + REDACTED,
    ),
    # IBAN (personal data in payroll and bank records)
    (re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b"), REDACTED),
]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value and credential-shaped part replaced."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites records in place; never drops one."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        # Very short values would blank out ordinary words.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        # Message and arguments are cleaned apart: formatters such as uvicorn's access log
        # read the arguments themselves.
        if isinstance(record.msg, str):
            record.msg = redact(record.msg, self.secrets)
        if isinstance(record.args, dict):
            record.args = {k: self._clean(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(self._clean(a) for a in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True

    def _clean(self, value: object) -> object:
        if isinstance(value, str | bytes | BaseException) or not _is_plain(value):
            text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
            cleaned = redact(text, self.secrets)
            return value if cleaned == text else cleaned
        return value


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, bool | int | float)


def install(secrets: Iterable[str]) -> RedactingFilter:
    """Puts one filter on every handler there is now (root, uvicorn's, the app's)."""
    log_filter = RedactingFilter(secrets)
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(log_filter)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger(noisy).level))
    return log_filter


def secrets_in(settings: BaseModel) -> list[str]:
    """Every secret value the settings hold or point at (nested models included)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            secret = getattr(value, "secret", None)
            if callable(secret):
                try:
                    resolved = secret()
                except (OSError, ValueError):
                    resolved = None
                if isinstance(resolved, str):
                    found.append(resolved)
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(settings)
    return found
