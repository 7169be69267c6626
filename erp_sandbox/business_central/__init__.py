"""A Microsoft Dynamics 365 Business Central sandbox: API v2.0 (OData v4) over demo data."""

from erp_sandbox.business_central.app import create_app
from erp_sandbox.business_central.settings import SandboxSettings

__all__ = ["SandboxSettings", "create_app"]
