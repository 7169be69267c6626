"""Persisted (trusted) operations: a registry of documents by hash, and the extension that
runs them by id or, in persisted-only mode, refuses any other document."""
