"""Settings of the NetSuite sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from erp_sandbox.faults import FaultPlan

MAX_PAGE = 1000
"""The largest ``limit`` the record collections and SuiteQL accept (NetSuite's maximum)."""


@dataclass(frozen=True)
class SandboxSettings:
    """How a NetSuite sandbox runs.

    ``account_id`` is the realm of every Token-Based Authentication header; ``consumer_key`` /
    ``consumer_secret`` are the integration record's, ``token_id`` / ``token_secret`` the access
    token's: the only ones accepted. ``timestamp_window`` is how many seconds an
    ``oauth_timestamp`` may be off the sandbox's clock; a nonce is refused when seen before
    within that window. ``concurrency_limit`` is the account's limit of requests in flight
    (NetSuite's per-account concurrency governance). ``data_dir``: directory of the SQLite file
    (kept across restarts); None keeps the data in memory. ``seed_anchor``: the moment the
    demo data is dated relative to (default: now). ``faults``: the initial fault plan (the
    shape of the SAP sandbox's, see :mod:`erp_sandbox.faults.plan`). ``m2m_certificates``:
    certificate id and PEM public key of each certificate uploaded for OAuth 2.0 client
    credentials (the integration's client id is ``consumer_key``).
    """

    account_id: str = "TSTDRV1234567"
    consumer_key: str = "gateway-consumer"
    consumer_secret: str = "sandbox"
    token_id: str = "gateway-token"
    token_secret: str = "sandbox"
    timestamp_window: int = 300
    concurrency_limit: int = 5
    data_dir: Path | None = None
    seed_anchor: datetime | None = None
    faults: FaultPlan | None = None
    m2m_certificates: tuple[tuple[str, str], ...] = ()
