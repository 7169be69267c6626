"""SAP S/4HANA sandbox: the OData v2 APIs the gateway uses, backed by SQLite and demo data.

:func:`create_app` builds the ASGI app (in-process through ``httpx.ASGITransport`` or served);
:func:`serve` runs it with uvicorn; ``app.state.sandbox`` is the :class:`Sandbox`.
"""

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.server import serve
from erp_sandbox.sap.settings import SandboxSettings

__all__ = ["Sandbox", "SandboxSettings", "create_app", "serve"]
