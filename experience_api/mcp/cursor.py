"""Continuation cursors: where the next call of the same tool with the same arguments goes on.

A cursor is opaque to the model: URL-safe base64 of a small JSON object holding the tool,
a fingerprint of the arguments it was issued for, the GraphQL page cursor (``after``) the
records were read from, how many of that page's records were already shown (``skip``) and
how many records came before that page (``seen``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Position:
    after: str | None = None
    skip: int = 0
    seen: int = 0


def fingerprint(tool: str, arguments: Mapping[str, Any]) -> str:
    canonical = json.dumps([tool, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def encode(tool: str, arguments: Mapping[str, Any], position: Position) -> str:
    raw = {"f": fingerprint(tool, arguments), "s": position.skip, "n": position.seen}
    if position.after is not None:
        raw["a"] = position.after
    text = json.dumps(raw, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode(cursor: str, tool: str, arguments: Mapping[str, Any]) -> Position:
    """The position ``cursor`` names; :class:`BadCursor` when it is not one of this tool's
    cursors for these arguments."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, skip, seen, made_for = raw.get("a"), raw["s"], raw["n"], raw["f"]
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise BadCursor("cursor is not one this tool issued") from None
    if made_for != fingerprint(tool, arguments):
        raise BadCursor("cursor was issued for other arguments: repeat them unchanged")
    valid = isinstance(skip, int) and isinstance(seen, int) and skip >= 0 and seen >= 0
    if not valid or not (after is None or isinstance(after, str)):
        raise BadCursor("cursor is not one this tool issued")
    return Position(after, skip, seen)
