"""Bulk export of whole record sets as NDJSON: ``GET /export/{kind}`` and ``erp-gateway export``.

Both run :func:`~experience_api.export.session.open_export` (the caller's scope for the
kind, its companies, its sensitive scopes, one audit entry) and
:func:`~experience_api.export.ndjson.lines`, so the HTTP route and the command answer alike.
"""
