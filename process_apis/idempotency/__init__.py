"""Idempotent writes: a client key, a fingerprint of the request, the first result."""
