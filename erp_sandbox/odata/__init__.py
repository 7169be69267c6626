"""A small generic OData v2 engine: EDM definitions, ``$filter`` and the other query options,
JSON serialisation in SAP Gateway's format, ``$metadata`` generation and SAP error bodies.
"""
