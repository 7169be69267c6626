"""Pure translations between SAP OData v2 entities and the canonical model.

Functions take the JSON objects SAP answers (``__metadata``, ``/Date(ms)/`` strings, decimals as
strings, expanded navigations as ``{"results": [...]}``) and return canonical records, or take
canonical commands and return SAP request bodies. SAP property names never leave this package.
They raise ``KeyError``/``ValueError`` on payloads that do not have the documented shape.

One module per business object: :mod:`.partners` (customers and addresses), :mod:`.products`,
:mod:`.stock` (inventory levels), :mod:`.sales` (sales orders), :mod:`.deliveries` (outbound
deliveries) and :mod:`.billing` (invoices). :mod:`.selects` holds the ``$select`` lists,
:mod:`.defaults` the organisational defaults, :mod:`.readers` the property readers and
:mod:`.codes` the status and location codes they share.
"""
