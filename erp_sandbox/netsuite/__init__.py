"""Oracle NetSuite sandbox: SuiteTalk REST (record service and SuiteQL) with Token-Based
Authentication, backed by SQLite and demo data.

:func:`create_app` builds the ASGI app; ``app.state.sandbox`` is the :class:`Sandbox`;
:func:`serve` runs it with uvicorn.
"""

from erp_sandbox.netsuite.app import create_app
from erp_sandbox.netsuite.sandbox import Sandbox
from erp_sandbox.netsuite.server import serve
from erp_sandbox.netsuite.settings import SandboxSettings

__all__ = ["Sandbox", "SandboxSettings", "create_app", "serve"]
