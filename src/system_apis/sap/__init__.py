"""The SAP S/4HANA adapter: OData v2 wire client, native ⇄ canonical mapping, ErpAdapter.

``SapODataClient`` (:mod:`.client`) speaks the protocol, :mod:`.mapping` translates records,
:mod:`.odata` builds literals, filters and dates, :mod:`.errors` reads SAP error answers, and
``SapAdapter`` (:mod:`.adapter`) implements the port with them.
"""

from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient

__all__ = ["SapAdapter", "SapODataClient"]
