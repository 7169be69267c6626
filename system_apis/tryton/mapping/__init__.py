"""Pure translations between Tryton records and the canonical model.

Functions take the rows trytond answers to ``read``/``search_read`` once decoded by
:mod:`system_apis.tryton.codec` (Decimals, dates and naive UTC datetimes; booleans may be 0/1 on
SQLite; a dotted field such as ``"lines.product.code"`` arrives nested as ``"lines."`` →
``[{"product.": {"code": ...}}]``) and return canonical records, or take canonical commands and
return Tryton values. Each module also names the fields it reads (``*_FIELDS``), so the adapter
asks for exactly what the mapping needs. They raise ``KeyError``/``ValueError`` on rows of
another shape.

:mod:`.partners` (customers), :mod:`.products`, :mod:`.locations` (warehouse storage labels),
:mod:`.stock` (inventory levels), :mod:`.status` (order, delivery and billing statuses),
:mod:`.sales` (sales orders and the values of a new sale), :mod:`.deliveries` (customer
shipments) and :mod:`.invoices`; :mod:`.readers` holds the field readers they share.
"""
