"""Inbound events: webhooks pushed by warehouse, ERP and CRM systems.

A signed webhook is verified by the HTTP layer, validated and stored here
(:class:`~process_apis.inbound.intake.InboundIntake`) before the sender gets its answer;
``(source, webhook id)`` is unique, so a redelivery is recognised and processed once. The
:class:`~process_apis.inbound.processor.InboundProcessor` then claims stored events under a
lease, runs the flow registered for their type, and marks each processed in the same
transaction that stages the events it caused in the outbox. An ERP that is down is retried
with backoff; an event the ERP refuses, or one that keeps failing, goes to the quarantine,
from where an operator replays it.
"""
