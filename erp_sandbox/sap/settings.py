"""Settings of the SAP sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from erp_sandbox.faults import FaultPlan

DEFAULT_MAX_URL_LENGTH = 8192
"""Bytes of path and query beyond which a request is refused with ``414``: the request-line
limit of the web dispatchers and reverse proxies in front of SAP Gateway (Apache and nginx
default to 8 kB), which a long ``$filter`` hits first."""

DEFAULT_PAGE_SIZE = 5000
"""Entities per answer beyond which a collection read pages with ``__next``, as SAP
Gateway services with server-side paging do; ``$top`` asks fewer, never more."""


@dataclass(frozen=True)
class SandboxSettings:
    """How a sandbox runs.

    ``data_dir``: directory of the SQLite file (reused across restarts); None keeps the data
    in memory. ``username``/``password``: the only accepted basic-auth credentials of the S/4HANA
    services; ``sf_username``/``sf_password``: those of the SuccessFactors API (``/odata/v2``).
    ``sap_client`` and ``system_id`` name the session cookie (``SAP_SESSIONID_S4H_100``).
    ``csrf_enabled``: whether writes need a CSRF token. ``page_size``: collections
    longer than this are paged by the server with ``__next`` links (``$skiptoken``), like
    SAP does for big results; None answers everything at once. ``seed_anchor``: the
    moment the demo data is dated relative to (default: now).
    ``faults``: the fault plan active from the start (see :mod:`erp_sandbox.faults.plan`).
    ``older_release``: answer as an older S/4HANA release, whose ``API_MATERIAL_DOCUMENT_SRV``
    items have no ``DebitCreditCode`` (absent from ``$metadata``, refused in ``$select``).
    ``max_url_length``: requests whose path and query string are longer are refused with
    ``414 Request-URI Too Long`` before anything else (None: no limit); ``$batch`` parts are
    not URLs of their own and are not limited.
    """

    data_dir: Path | None = None
    username: str = "GATEWAY"
    password: str = "sandbox"
    sf_username: str = "sfapi@SFSANDBOX"
    sf_password: str = "sandbox"
    sap_client: str = "100"
    system_id: str = "S4H"
    csrf_enabled: bool = True
    page_size: int | None = DEFAULT_PAGE_SIZE
    seed_anchor: datetime | None = None
    faults: FaultPlan | None = None
    older_release: bool = False
    max_url_length: int | None = DEFAULT_MAX_URL_LENGTH

    @property
    def session_cookie(self) -> str:
        """Name of the session cookie CSRF tokens are bound to."""
        return f"SAP_SESSIONID_{self.system_id}_{self.sap_client}"
