"""One real gateway per module (settings → bootstrap → app over the embedded SAP sandbox),
in process, on the module's event loop so hypothesis examples share it.

Every log record the app writes is kept: a hostile request must leave no traceback behind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from experience_api.app import create_app
from experience_api.security.dev_keys import load_or_create_dev_key
from experience_api.settings import Settings

SOURCE = "wms1"
SECRET_KEY = b"warehouse-signing-secret-0123456"
SECRET = "whsec_" + base64.b64encode(SECRET_KEY).decode()


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    app: Any
    token: str
    logs: _Kept = field(default_factory=_Kept)

    @property
    def erp_requests(self) -> int:
        """Requests the embedded SAP sandbox has served so far."""
        count: int = self.app.state.gateway.sandboxes["EU01"].state.sandbox.request_count
        return count

    def tracebacks(self) -> list[str]:
        """Log records that carry a traceback, or an error nobody caught."""
        return [
            f"{r.name}: {r.getMessage()[:300]}"
            for r in self.logs.records
            if r.exc_info or r.exc_text or r.stack_info or "Traceback" in r.getMessage()
        ]

    def sign(self, body: bytes) -> dict[str, str]:
        """Standard Webhooks headers signing ``body`` byte for byte, as the source would."""
        message_id = f"msg_{uuid.uuid4().hex}"
        timestamp = str(int(time.time()))
        signed = f"{message_id}.{timestamp}.".encode() + body
        signature = base64.b64encode(hmac.new(SECRET_KEY, signed, hashlib.sha256).digest())
        return {
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": f"v1,{signature.decode()}",
        }


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    data_dir: Path = tmp_path_factory.mktemp("hostile")
    settings = Settings(
        data_dir=data_dir,
        # No change-capture polling: every request the sandbox counts comes from a test.
        connections=[{"name": "EU01", "change_capture": {"enabled": False}}],
        inbound={
            "sources": [{"name": SOURCE, "kind": "wms", "secret": SECRET, "connection": "EU01"}]
        },
    )
    app = create_app(settings)
    key = load_or_create_dev_key(settings.data_dir)
    token = key.issue(
        audience=settings.auth.audience,
        subject="fuzz",
        roles=("sales", "finance", "admin"),
        scopes=(),
        companies=("*",),
    )
    root = logging.getLogger()
    kept = _Kept()
    level = root.level
    root.addHandler(kept)
    root.setLevel(logging.INFO)
    try:
        async with app.router.lifespan_context(app):
            # A failure inside the app becomes the 500 a real server would answer.
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://127.0.0.1:8000",  # a host /mcp accepts
                headers=headers,
            ) as client:
                yield Gateway(client=client, app=app, token=token, logs=kept)
    finally:
        root.removeHandler(kept)
        root.setLevel(level)
