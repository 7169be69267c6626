"""Reading a ``Retry-After`` header, the one way every layer reads it.

RFC 9110 §10.2.3: the value is either delay-seconds (one or more ASCII digits) or an
HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must accept).
A date in the past means "now" (0 seconds). Anything else (a negative or fractional
number, a word, an unreadable date) is ignored: the caller falls back to its own backoff.
A huge value is capped at :data:`MAX_RETRY_AFTER`, so no sender parks a retry for years;
callers cap it lower to what their own policy allows.
"""

from __future__ import annotations

import datetime as dt
import email.utils

MAX_RETRY_AFTER = 86_400.0
"""A day: the longest wait any header is taken to ask for."""


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds ``value`` asks to wait, at most a day; None when absent or unreadable.

    ``now`` (timezone-aware, default the current time) is what an HTTP-date counts from.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return min(float(int(text)), MAX_RETRY_AFTER)
    when = _http_date(text)
    if when is None:
        return None
    current = now if now is not None else dt.datetime.now(dt.UTC)
    return min(max(0.0, (when - current).total_seconds()), MAX_RETRY_AFTER)


def _http_date(text: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # HTTP dates are GMT by definition; a parsed date without a zone is read as such.
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
