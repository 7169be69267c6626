"""The Tryton adapter: JSON-RPC client, native ⇄ canonical mapping, ErpAdapter.

``TrytonClient`` (:mod:`.client`) calls trytond's model methods over a :mod:`.session` that
logs in and renews expired sessions; :mod:`.codec` reads and writes Tryton's JSON values and
:mod:`.errors` translates its failures. The :mod:`.mapping` package translates records,
:mod:`.queries` turns port filters into Tryton domains, and ``TrytonAdapter`` (:mod:`.adapter`)
implements the port with :mod:`.ordering` (sales orders), :mod:`.shipping` (deliveries and
goods issue) and :mod:`.billing` (invoices).
"""

from system_apis.tryton.adapter import TrytonAdapter
from system_apis.tryton.client import TrytonClient

__all__ = ["TrytonAdapter", "TrytonClient"]
