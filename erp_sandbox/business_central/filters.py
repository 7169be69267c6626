"""OData v4 ``$filter`` over dict rows, the subset Business Central's API pages evaluate.

Grammar (lowest precedence first)::

    or      := and ('or' and)*
    and     := unary ('and' unary)*
    unary   := 'not' unary | compare
    compare := primary (('eq'|'ne'|'gt'|'ge'|'lt'|'le') primary)?
    primary := '(' or ')' | literal | function '(' args ')' | property

Literals: 'text' (quotes doubled inside), numbers, true/false/null, GUIDs, dates
(2024-01-31) and date-times (2024-01-31T10:00:00Z). Functions: contains, startswith,
endswith, tolower, toupper. A property the entity does not have, or a bad expression, is a
400 before any row is looked at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_sandbox.business_central.errors import BcError
from erp_sandbox.business_central.records import Row

Evaluate = Callable[[Row], Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')"
    r"|(?P<datetime>\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))"
    r"|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<date>\d{4}-\d\d-\d\d)"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<punct>[(),]))"
)


def _either(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda row: bool(a(row)) or bool(b(row))


def _both(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda row: bool(a(row)) and bool(b(row))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}
_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "contains": (2, lambda a, b: a is not None and b in a),
    "startswith": (2, lambda a, b: a is not None and a.startswith(b)),
    "endswith": (2, lambda a, b: a is not None and a.endswith(b)),
    "tolower": (1, lambda a: None if a is None else a.lower()),
    "toupper": (1, lambda a: None if a is None else a.upper()),
}


def _error(message: str) -> BcError:
    return BcError(400, "BadRequest", f"Invalid filter expression: {message}")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise _error(f"syntax error at position {position}")
        out.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return out


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


class _Parser:
    def __init__(self, text: str, fields: tuple[str, ...]) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] in words

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _error("unexpected end of expression")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        _, text = self.take()
        if text != value:
            raise _error(f"expected {value!r}, found {text!r}")

    def parse(self) -> Evaluate:
        node = self.disjunction()
        if self.peek() is not None:
            raise _error(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def disjunction(self) -> Evaluate:
        node = self.conjunction()
        while self.word("or"):
            self.take()
            node = _either(node, self.conjunction())
        return node

    def conjunction(self) -> Evaluate:
        node = self.unary()
        while self.word("and"):
            self.take()
            node = _both(node, self.unary())
        return node

    def unary(self) -> Evaluate:
        if self.word("not"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        return self.comparison()

    def comparison(self) -> Evaluate:
        left = self.primary()
        if self.word(*_COMPARE):
            op = _COMPARE[self.take()[1]]
            right = self.primary()
            return lambda row: op(_comparable(left(row)), _comparable(right(row)))
        return left

    def primary(self) -> Evaluate:
        kind, text = self.take()
        if text == "(":
            node = self.disjunction()
            self.expect(")")
            return node
        if kind == "string":
            value: Any = text[1:-1].replace("''", "'")
        elif kind == "datetime":
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        elif kind == "date":
            value = dt.date.fromisoformat(text)
        elif kind == "guid":
            value = text.lower()
        elif kind == "number":
            try:
                value = Decimal(text)
            except InvalidOperation as exc:
                raise _error(f"bad number {text}") from exc
        elif kind == "word" and text in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[text]
        elif kind == "word" and self.peek() == ("punct", "("):
            return self.call(text)
        elif kind == "word":
            if text not in self.fields:
                raise BcError(
                    400,
                    "BadRequest_NotFound",
                    f"Could not find a property named '{text}' on type 'Microsoft.NAV.entity'.",
                )
            return lambda row: row.get(text)
        else:
            raise _error(f"unexpected {text!r}")
        return lambda row: value

    def call(self, name: str) -> Evaluate:
        if name not in _FUNCTIONS:
            raise _error(f"unknown function {name}")
        arity, function = _FUNCTIONS[name]
        self.expect("(")
        args = [self.disjunction()]
        while self.peek() == ("punct", ","):
            self.take()
            args.append(self.disjunction())
        self.expect(")")
        if len(args) != arity:
            raise _error(f"{name} takes {arity} arguments")
        return lambda row: function(*(a(row) for a in args))


def parse_filter(text: str, fields: tuple[str, ...]) -> Evaluate:
    """A predicate over rows of an entity with ``fields``; raises BcError (400) when bad."""
    return _Parser(text, fields).parse()
