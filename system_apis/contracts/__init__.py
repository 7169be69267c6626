"""Contracts shared by every ERP adapter: canonical model, port, errors."""
