"""Business events: what changed, written to the outbox and delivered to subscribers."""
