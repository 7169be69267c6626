"""Invoice status: invoices issued, paid or cancelled, as business events.

See :mod:`process_apis.invoice_status.flow`.
"""
