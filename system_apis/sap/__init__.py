"""The SAP S/4HANA adapter: OData v2 wire client, native ⇄ canonical mapping, ErpAdapter.

``SapODataClient`` (:mod:`.client`) speaks the protocol over a :mod:`.session` that handles
URLs, authentication and :mod:`.csrf` tokens; :mod:`.answers` reads SAP's JSON answers and
:mod:`.errors` its error answers; :mod:`.odata` builds literals, filters and dates. The
:mod:`.mapping` package translates records, :mod:`.queries` says what the adapter reads and how
port filters become ``$filter``s, and ``SapAdapter`` (:mod:`.adapter`) implements the port with
them.
"""

from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient

__all__ = ["SapAdapter", "SapODataClient"]
