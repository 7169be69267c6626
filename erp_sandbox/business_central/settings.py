"""Settings of the Business Central sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from erp_sandbox.faults import FaultPlan

TENANT = "00000000-0000-0000-0000-0000000000bc"
ENVIRONMENT = "production"
COMPANY = "CRONUS International Ltd."
AUDIENCE = "https://api.businesscentral.dynamics.com"
SCOPE = f"{AUDIENCE}/.default"


@dataclass(frozen=True)
class SandboxSettings:
    """How a sandbox runs.

    ``client_id``/``client_secret``: the only app registration the token endpoint accepts
    (client credentials). ``token_lifetime``: seconds an access token is valid.
    ``max_page_size``: entities per answer beyond which a collection pages with
    ``@odata.nextLink`` (BC's server default is 20,000); ``Prefer: odata.maxpagesize`` asks
    fewer. ``request_quota``/``quota_window``: requests per app and window before 429 with
    ``Retry-After`` (BC: 6,000 per 5 minutes). ``max_concurrent``: requests in flight per app
    before 429 (BC queues a few and refuses the rest). ``seed_anchor``: the moment the demo
    data is dated relative to (default: now). ``faults``: the initial fault plan.
    """

    tenant: str = TENANT
    environment: str = ENVIRONMENT
    client_id: str = "gateway"
    client_secret: str = "sandbox"
    token_lifetime: int = 3600
    signing_key: str = "business-central-sandbox-signing-key-0123456789"
    max_page_size: int = 20_000
    request_quota: int = 6_000
    quota_window: float = 300.0
    max_concurrent: int = 100
    seed_anchor: datetime | None = None
    faults: FaultPlan | None = None
