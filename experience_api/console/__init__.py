"""The operations console at ``/console``: server-rendered pages for administrators.

Connection health, the quarantine review (show, edit, replay, discard), the outbox and its
relay, webhook subscriptions and deliveries, change-capture watermarks and the audit chain,
over the same process services as the CLI and the GraphQL admin operations. Pages are HTML
from templates with one stylesheet served by the gateway; forms post without JavaScript.
"""
