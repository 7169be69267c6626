"""Instants read back from the state database, always timezone-aware."""

from __future__ import annotations

import datetime as dt


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC instant: SQLite hands back naive datetimes, and everything
    the gateway stores is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)
