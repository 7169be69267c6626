"""``POST /webhooks/inbound/{source}``: verify, validate, store, answer.

Checks run cheapest first and each failure stores nothing:

- 404 the source is not configured;
- 413 the body is larger than ``max_body_bytes`` (read no further than that);
- 401 the ``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature`` headers are missing,
  the timestamp is more than 5 minutes off, or no signature matches the source's secret;
- 400 the body is not a JSON envelope ``{"type": ..., "data": {...}}`` valid for its type,
  or is JSON the gateway refuses to read (see :mod:`experience_api.limits.json_body`:
  nested deeper than 32 levels, a number of over 100 characters, U+0000 or a lone surrogate).

A valid event is stored before the answer: 202 ``{"status": "accepted", "id": ...}``, or
200 ``{"status": "duplicate", "id": ...}`` for a webhook id the source used before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from experience_api.gateway import Gateway
from experience_api.inbound.config import InboundSettings
from experience_api.limits.json_body import DEFAULT_MAX_JSON_DEPTH, UnsafeJson, decode_json
from process_apis.errors import InvalidInput

log = logging.getLogger(__name__)
INBOUND_WEBHOOKS = "/webhooks/inbound/{source}"


class BodyTooLarge(Exception):
    pass


def verifiers(settings: InboundSettings) -> dict[str, Webhook]:
    """A signature verifier per source; ValueError names a source whose secret is unusable."""
    built: dict[str, Webhook] = {}
    for source in settings.sources:
        try:
            built[source.name] = Webhook(source.signing_secret())
        except Exception as exc:  # a missing file, bad base64, an empty secret
            raise ValueError(
                f"inbound source {source.name}: unusable signing secret "
                f"({type(exc).__name__}); expected whsec_ followed by base64"
            ) from None
    return built


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, object] = {"error": code, "message": message}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status)


class InboundWebhookEndpoint:
    """The Starlette endpoint; verifiers are built once, from the settings."""

    def __init__(self, settings: InboundSettings):
        self._verifiers = verifiers(settings)
        self._max_body = settings.max_body_bytes

    async def handle(self, request: Request) -> Response:
        source = request.path_params["source"]
        verifier = self._verifiers.get(source)
        if verifier is None:
            return _error(404, "UNKNOWN_SOURCE", f"no inbound source named {source!r}")
        try:
            body = await self._body(request)
        except BodyTooLarge:
            return _error(
                413, "BODY_TOO_LARGE", f"the body exceeds the limit of {self._max_body} bytes"
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "INVALID_EVENT", "body: must be UTF-8 encoded JSON")
        headers: Mapping[str, str] = request.headers
        try:
            verifier.verify(text, dict(headers), json_parse=False)
        except (WebhookVerificationError, ValueError) as exc:
            log.info("inbound source %s: signature refused: %s", source, exc)
            reason = str(exc) if isinstance(exc, WebhookVerificationError) else "malformed"
            return _error(401, "INVALID_SIGNATURE", f"webhook signature refused: {reason}")
        try:
            envelope = decode_json(text, max_depth=DEFAULT_MAX_JSON_DEPTH, parse_float=Decimal)
        except UnsafeJson as exc:
            return _error(400, "INVALID_EVENT", exc.message)
        gateway: Gateway = request.app.state.gateway
        intake = gateway.services.inbound
        if intake is None:
            return _error(404, "UNKNOWN_SOURCE", f"no inbound source named {source!r}")
        try:
            receipt = await intake.receive(source, headers["webhook-id"], envelope)
        except InvalidInput as exc:
            return _error(400, "INVALID_EVENT", exc.message, exc.field)
        if receipt.duplicate:
            return JSONResponse({"status": "duplicate", "id": receipt.id}, status_code=200)
        return JSONResponse({"status": "accepted", "id": receipt.id}, status_code=202)

    async def _body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self._max_body:
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)
