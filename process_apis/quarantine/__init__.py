"""Quarantine: accepted requests that could not reach their ERP, kept for review and replay.

Nothing a client was told is accepted may be lost. When a write fails for good on the ERP's
side (unreachable, circuit open, or an answer lost and not found again), the flow stores the
command here with the reason and keeps its idempotency key claimed: the quarantine owns the
key from then on, so a client retry with it is answered with the quarantine id instead of
starting a second write. An operator then edits, replays or discards the record
(:class:`~process_apis.quarantine.review.QuarantineReview`).

Discarding keeps the key blocked until its retention ends: a client's automatic retry must
not bring back what a person decided against. A client that still wants the order sends it
with a new key; an operator who expects the client to resend it discards with
``release_key`` to free the key at once.
"""
