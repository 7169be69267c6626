"""Fakes that satisfy the project's ports, for tests that need no wire."""
