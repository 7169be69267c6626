"""Reading a JSON body a client sent, with bounds: hostile input is refused, never a crash.

The body must be UTF-8 (strictly: no overlong forms, no encoded surrogates) and JSON as
RFC 8259 has it (no ``NaN`` or ``Infinity``). On top of that the gateway refuses what it
cannot safely pass on:

- arrays and objects nested deeper than ``max_depth`` (the body itself counts as 1): deep
  nesting exhausts the stack of whatever walks the value later;
- a number written with more than :data:`MAX_NUMBER_LENGTH` characters, or beyond the range
  of a double: converting one costs time quadratic in its length;
- a string holding a lone UTF-16 surrogate (``"\\ud800"``), which is not a character and
  cannot be written as UTF-8, or U+0000, which no ERP or database takes as text.

Each refusal is an :class:`UnsafeJson` naming a ``code``; its message says where the problem
is (``body.variables.input.lines[0]: ...``) and what it is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from experience_api.limits.errors import (
    BAD_REQUEST_BODY,
    JSON_TOO_DEEP,
    NUMBER_TOO_LARGE,
    UNSUPPORTED_CHARACTER,
)

DEFAULT_MAX_JSON_DEPTH = 32
MAX_NUMBER_LENGTH = 100
_KEY_SHOWN = 40
_UNSUPPORTED = re.compile("[\x00\ud800-\udfff]")


class UnsafeJson(ValueError):
    """A body refused while reading it; ``extensions`` go to the client beside ``code``."""

    def __init__(self, code: str, message: str, **extensions: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions = extensions


def decode_json(
    data: bytes | str, *, max_depth: int, parse_float: Callable[[str], Any] = float
) -> Any:
    """The JSON value in ``data``; raises :class:`UnsafeJson` for anything refused."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeJson(
                BAD_REQUEST_BODY,
                f"body: not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                "cannot start or continue a character",
            ) from None
    else:
        text = data
    try:
        value = json.loads(
            text,
            parse_int=_integer,
            parse_float=_real(parse_float),
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise UnsafeJson(BAD_REQUEST_BODY, f"body: not valid JSON: {exc}") from None
    except RecursionError:
        # The parser gives up far beyond any sensible limit; the depth is not known.
        raise UnsafeJson(
            JSON_TOO_DEEP,
            f"body: arrays or objects nested too deeply to read; at most {max_depth} levels "
            "are allowed",
            limit=max_depth,
        ) from None
    check_value(value, max_depth=max_depth)
    return value


def check_value(value: Any, *, max_depth: int, root: str = "body") -> None:
    """Raise :class:`UnsafeJson` when ``value`` nests too deeply or holds a refused string;
    messages name where, from ``root``.

    Walks with a stack of its own, so a value of any depth is measured without recursion.
    """
    pending: list[tuple[Any, int, str]] = [(value, 1, root)]
    while pending:
        item, depth, where = pending.pop()
        if isinstance(item, str):
            _check_text(item, where)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise UnsafeJson(
                JSON_TOO_DEEP,
                f"{where}: arrays or objects nested more than {max_depth} levels deep (the "
                "body itself counted); send a flatter value",
                limit=max_depth,
                actual=depth,
            )
        if isinstance(item, dict):
            for key, member in item.items():
                _check_text(key, f"{where} (a key)")
                name = key if len(key) <= _KEY_SHOWN else f"{key[:_KEY_SHOWN]}..."
                pending.append((member, depth + 1, f"{where}.{name}"))
        else:
            pending.extend(
                (member, depth + 1, f"{where}[{index}]") for index, member in enumerate(item)
            )


def _check_text(text: str, where: str) -> None:
    found = _UNSUPPORTED.search(text)
    if found is None:
        return
    char = found.group()
    if char == "\x00":
        what = "U+0000 (NUL), which is not accepted in text"
    else:
        what = f"U+{ord(char):04X}, half of a UTF-16 surrogate pair without its other half"
    raise UnsafeJson(
        UNSUPPORTED_CHARACTER,
        f"{where}: holds {what} (at character {found.start()}); send valid Unicode text",
        # The position, not the character: echoing it would make the answer invalid UTF-8.
        offset=found.start(),
    )


def _integer(literal: str) -> int:
    _check_length(literal)
    return int(literal)


def _real(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse_number(literal: str) -> Any:
        _check_length(literal)
        if not math.isfinite(float(literal)):
            raise UnsafeJson(
                NUMBER_TOO_LARGE, f"body: the number {literal} is beyond the range of a double"
            )
        return parse(literal)

    return parse_number


def _check_length(literal: str) -> None:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise UnsafeJson(
            NUMBER_TOO_LARGE,
            f"body: a number is written with {len(literal)} characters; at most "
            f"{MAX_NUMBER_LENGTH} are allowed",
            limit=MAX_NUMBER_LENGTH,
            actual=len(literal),
        )


def _constant(name: str) -> Any:
    raise UnsafeJson(BAD_REQUEST_BODY, f"body: not valid JSON: {name} is not a JSON number")
