"""Abuse limits of the GraphQL endpoint: request size, batch size, tokens, depth, aliases, cost.

Each limit refuses a request before anything is resolved, with an error whose
``extensions`` name the ``code``, the ``limit`` and the ``actual`` value measured.
"""
