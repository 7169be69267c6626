"""Outbound webhooks: subscriptions, deliveries enqueued from the outbox relay, and the
worker that sends them signed (Standard Webhooks), retried with backoff, in order."""
