"""Tokenizer of OData v2 expressions, key predicates and function import parameters.

Literals become :class:`Literal` values with a kind (``string``, ``number``, ``bool``,
``datetime``, ``null``): ``'it''s'``, ``42``, ``1.5``, ``1.5M``, ``2d``, ``7L``,
``datetime'2024-01-31T00:00:00'``, ``datetimeoffset'2024-01-31T00:00:00Z'``,
``time'PT14H05M09S'`` (kind ``time``), ``true``, ``false``, ``null``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from typing import Literal as TypingLiteral

from erp_sandbox.odata.errors import SYNTAX_ERROR, ODataError
from erp_sandbox.odata.values import (
    as_utc,
    parse_datetime_literal,
    parse_datetimeoffset_literal,
    parse_json_time,
)

LiteralKind = TypingLiteral["string", "number", "bool", "datetime", "time", "null"]

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?[MmDdFfLl]?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PUNCTUATION = {"(": "lparen", ")": "rparen", ",": "comma", "=": "equals", "/": "slash"}


@dataclass(frozen=True)
class Literal:
    """A literal value and its kind."""

    value: Any
    kind: LiteralKind


@dataclass(frozen=True)
class Token:
    """A token: ``kind`` is ``literal``, ``ident``, a punctuation name or ``end``."""

    kind: str
    text: str
    position: int
    literal: Literal | None = None


def syntax_error(message: str) -> ODataError:
    """400 for an expression that does not parse."""
    return ODataError(400, SYNTAX_ERROR, message)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The content of the quoted string opening at ``start`` and the index after it."""
    chars: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "'":
            if index + 1 < len(text) and text[index + 1] == "'":
                chars.append("'")
                index += 2
                continue
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise syntax_error(f"Unterminated string literal at position {start}")


def _typed_literal(prefix: str, body: str, position: int) -> Literal:
    try:
        if prefix == "datetime":
            return Literal(as_utc(parse_datetime_literal(body)), "datetime")
        if prefix == "datetimeoffset":
            return Literal(parse_datetimeoffset_literal(body), "datetime")
        if prefix == "time":
            return Literal(parse_json_time(body), "time")
    except ValueError as exc:
        raise syntax_error(f"{exc} (position {position})") from None
    raise syntax_error(f"Literal type '{prefix}' is not supported (position {position})")


def _number(text: str) -> Literal:
    if text[-1] in "MmDdFfLl":
        text = text[:-1]
    return Literal(Decimal(text), "number")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, index))
            index += 1
            continue
        if char == "'":
            value, end = _quoted(text, index)
            tokens.append(Token("literal", text[index:end], index, Literal(value, "string")))
            index = end
            continue
        number = _NUMBER.match(text, index)
        if number and (char.isdigit() or char == "-"):
            word = number.group(0)
            tokens.append(Token("literal", word, index, _number(word)))
            index = number.end()
            continue
        ident = _IDENT.match(text, index)
        if ident is None:
            raise syntax_error(f"Invalid token '{char}' at position {index}")
        word = ident.group(0)
        end = ident.end()
        if end < len(text) and text[end] == "'":
            body, after = _quoted(text, end)
            literal = _typed_literal(word.lower(), body, index)
            tokens.append(Token("literal", text[index:after], index, literal))
            index = after
            continue
        if word in ("true", "false"):
            tokens.append(Token("literal", word, index, Literal(word == "true", "bool")))
        elif word == "null":
            tokens.append(Token("literal", word, index, Literal(None, "null")))
        else:
            tokens.append(Token("ident", word, index))
        index = end
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse_literal(text: str) -> Literal:
    """The single literal ``text`` (a function import parameter, one key value)."""
    tokens = tokenize(text)
    if len(tokens) != 2 or tokens[0].literal is None:
        raise syntax_error(f"'{text}' is not a literal")
    return tokens[0].literal


def parse_key_predicate(text: str) -> list[tuple[str | None, Literal]]:
    """The parts of a key predicate without parentheses: ``'1'`` or ``A='1',B='10'``."""
    tokens = tokenize(text)
    parts: list[tuple[str | None, Literal]] = []
    index = 0
    while True:
        name: str | None = None
        token = tokens[index]
        if token.kind == "ident" and tokens[index + 1].kind == "equals":
            name = token.text
            index += 2
            token = tokens[index]
        if token.literal is None:
            raise syntax_error(f"Invalid key predicate '({text})'")
        parts.append((name, token.literal))
        index += 1
        if tokens[index].kind == "end":
            return parts
        if tokens[index].kind != "comma":
            raise syntax_error(f"Invalid key predicate '({text})'")
        index += 1
