"""Helpers shared by every test tier: state databases, local services, recording transports."""
