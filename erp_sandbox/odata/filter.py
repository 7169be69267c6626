"""``$filter``: a recursive-descent parser binding expressions to an entity type.

Grammar (lowest precedence first)::

    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := primary (('eq'|'ne'|'gt'|'ge'|'lt'|'le') primary)?
    primary := '(' or ')' | literal | function '(' args ')' | property

Functions: ``substringof``, ``startswith``, ``endswith``, ``tolower``, ``toupper``, ``trim``,
``length``, ``indexof``, ``concat``, ``year``, ``month``, ``day``. Properties are checked
against the entity type and operand types against each other while parsing, so a bad
expression is a 400 before any row is looked at. :func:`parse_filter` returns a
:class:`Expression` whose :meth:`Expression.matches` tells whether a row qualifies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from erp_sandbox.odata.edm import NUMERIC_TYPES, TEMPORAL_TYPES, EdmType, EntityType, Property, Row
from erp_sandbox.odata.tokens import Literal, Token, syntax_error, tokenize
from erp_sandbox.odata.values import as_utc, compare_key

_COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
_ARITHMETIC = ("add", "sub", "mul", "div", "mod")


def kind_of(prop: Property) -> str:
    """The literal kind values of ``prop`` compare with."""
    if prop.type in NUMERIC_TYPES:
        return "number"
    if prop.type in TEMPORAL_TYPES:
        return "datetime"
    if prop.type is EdmType.BOOLEAN:
        return "bool"
    if prop.type is EdmType.TIME:
        return "time"
    return "string"


class Node:
    """An expression node: its result kind and how to compute it for a row."""

    kind: str = "null"

    def evaluate(self, row: Row) -> Any:
        raise NotImplementedError

    @property
    def alpha(self) -> Property | None:
        """The ALPHA property this node reads, if any."""
        return None


@dataclass
class Constant(Node):
    literal: Literal

    def __post_init__(self) -> None:
        self.kind = self.literal.kind

    def evaluate(self, row: Row) -> Any:
        return self.literal.value


@dataclass
class PropertyRef(Node):
    prop: Property

    def __post_init__(self) -> None:
        self.kind = kind_of(self.prop)

    def evaluate(self, row: Row) -> Any:
        value = row.get(self.prop.name)
        if value is None:
            return None
        if self.kind == "number":
            return Decimal(str(value))
        if self.kind == "datetime" and isinstance(value, datetime):
            return as_utc(value)
        return value

    @property
    def alpha(self) -> Property | None:
        return self.prop if self.prop.alpha else None


@dataclass
class Comparison(Node):
    op: str
    left: Node
    right: Node

    def __post_init__(self) -> None:
        self.kind = "bool"
        self._alpha = self.left.alpha or self.right.alpha

    def evaluate(self, row: Row) -> Any:
        left, right = self.left.evaluate(row), self.right.evaluate(row)
        if left is None or right is None:
            same = left is None and right is None
            return {"eq": same, "ne": not same}.get(self.op, False)
        left, right = compare_key(self._alpha, left), compare_key(self._alpha, right)
        match self.op:
            case "eq":
                return left == right
            case "ne":
                return left != right
            case "gt":
                return left > right
            case "ge":
                return left >= right
            case "lt":
                return left < right
            case _:
                return left <= right


@dataclass
class Logical(Node):
    op: str
    operands: list[Node]

    def __post_init__(self) -> None:
        self.kind = "bool"

    def evaluate(self, row: Row) -> Any:
        if self.op == "and":
            return all(operand.evaluate(row) for operand in self.operands)
        return any(operand.evaluate(row) for operand in self.operands)


@dataclass
class _Not(Node):
    operand: Node

    def __post_init__(self) -> None:
        self.kind = "bool"

    def evaluate(self, row: Row) -> Any:
        return not self.operand.evaluate(row)


_FUNCTIONS: dict[str, tuple[tuple[str, ...], str, Callable[..., Any]]] = {
    "substringof": (("string", "string"), "bool", lambda needle, hay: needle in hay),
    "startswith": (("string", "string"), "bool", lambda text, start: text.startswith(start)),
    "endswith": (("string", "string"), "bool", lambda text, end: text.endswith(end)),
    "tolower": (("string",), "string", lambda text: text.lower()),
    "toupper": (("string",), "string", lambda text: text.upper()),
    "trim": (("string",), "string", lambda text: text.strip()),
    "length": (("string",), "number", lambda text: Decimal(len(text))),
    "indexof": (("string", "string"), "number", lambda text, part: Decimal(text.find(part))),
    "concat": (("string", "string"), "string", lambda left, right: left + right),
    "year": (("datetime",), "number", lambda value: Decimal(value.year)),
    "month": (("datetime",), "number", lambda value: Decimal(value.month)),
    "day": (("datetime",), "number", lambda value: Decimal(value.day)),
}


@dataclass
class _Call(Node):
    name: str
    args: list[Node]

    def __post_init__(self) -> None:
        self.kind = _FUNCTIONS[self.name][1]
        self._function = _FUNCTIONS[self.name][2]

    def evaluate(self, row: Row) -> Any:
        values = [arg.evaluate(row) for arg in self.args]
        if any(value is None for value in values):
            return False if self.kind == "bool" else None
        return self._function(*values)


class Expression:
    """A parsed ``$filter`` bound to an entity type."""

    def __init__(self, text: str, root: Node) -> None:
        self.text = text
        self._root = root

    def matches(self, row: Row) -> bool:
        """Whether ``row`` satisfies the expression."""
        return bool(self._root.evaluate(row))

    @property
    def root(self) -> Node:
        """The expression's tree."""
        return self._root

    @property
    def identity(self) -> str:
        """The same for expressions testing the same (their text may differ)."""
        return repr(self._root)


class _Parser:
    def __init__(self, text: str, entity_type: EntityType) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.entity_type = entity_type

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def _is_word(self, *words: str) -> bool:
        return self.token.kind == "ident" and self.token.text in words

    def _advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def _expect(self, kind: str) -> Token:
        if self.token.kind != kind:
            raise syntax_error(f"Invalid token detected at position {self.token.position}")
        return self._advance()

    def parse(self) -> Node:
        node = self._or()
        if self.token.kind != "end":
            raise syntax_error(f"Invalid token detected at position {self.token.position}")
        if node.kind != "bool":
            raise syntax_error("The filter expression does not evaluate to a boolean")
        return node

    def _boolean(self, node: Node, op: str, position: int) -> Node:
        if node.kind not in ("bool", "null"):
            raise syntax_error(
                f"Invalid parametertype used at function '{op}' (Position: {position})"
            )
        return node

    def _or(self) -> Node:
        operands, position = [self._and()], 0
        while self._is_word("or"):
            position = self._advance().position
            operands.append(self._and())
        return self._logical("or", operands, position)

    def _and(self) -> Node:
        operands, position = [self._not()], 0
        while self._is_word("and"):
            position = self._advance().position
            operands.append(self._not())
        return self._logical("and", operands, position)

    def _logical(self, op: str, operands: list[Node], position: int) -> Node:
        if len(operands) == 1:
            return operands[0]
        return Logical(op, [self._boolean(operand, op, position) for operand in operands])

    def _not(self) -> Node:
        if self._is_word("not"):
            position = self._advance().position
            return _Not(self._boolean(self._not(), "not", position))
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._primary()
        if self._is_word(*_ARITHMETIC):
            raise syntax_error(f"Operator '{self.token.text}' is not supported")
        if not self._is_word(*_COMPARISONS):
            return left
        token = self._advance()
        right = self._primary()
        kinds = {left.kind, right.kind} - {"null"}
        ordering = token.text not in ("eq", "ne")
        if len(kinds) > 1 or (ordering and kinds & {"bool"}) or (ordering and not kinds):
            raise syntax_error(
                f"Invalid parametertype used at function '{token.text}' "
                f"(Position: {token.position})"
            )
        return Comparison(token.text, left, right)

    def _primary(self) -> Node:
        token = self.token
        if token.kind == "lparen":
            self._advance()
            node = self._or()
            self._expect("rparen")
            return node
        if token.kind == "literal" and token.literal is not None:
            self._advance()
            return Constant(token.literal)
        if token.kind != "ident":
            raise syntax_error(f"Invalid token detected at position {token.position}")
        self._advance()
        if self.token.kind == "lparen":
            return self._call(token)
        if self.token.kind == "slash":
            raise syntax_error(f"Navigation paths are not supported in $filter ('{token.text}/')")
        prop = self.entity_type.property(token.text)
        if prop is None:
            raise syntax_error(
                f"Property '{token.text}' not found in type '{self.entity_type.name}'"
            )
        return PropertyRef(prop)

    def _call(self, name: Token) -> Node:
        signature = _FUNCTIONS.get(name.text)
        if signature is None:
            raise syntax_error(
                f"Function '{name.text}' is not supported (position {name.position})"
            )
        self._expect("lparen")
        args: list[Node] = []
        while self.token.kind != "rparen":
            if args:
                self._expect("comma")
            args.append(self._or())
        self._advance()
        expected = signature[0]
        if len(args) != len(expected) or any(
            arg.kind not in (kind, "null") for arg, kind in zip(args, expected, strict=False)
        ):
            raise syntax_error(
                f"Invalid parametertype used at function '{name.text}' (Position: {name.position})"
            )
        return _Call(name.text, args)


def parse_filter(text: str, entity_type: EntityType) -> Expression:
    """The ``$filter`` expression ``text`` bound to ``entity_type``; 400 when invalid."""
    if not text.strip():
        raise syntax_error("The $filter expression is empty")
    return Expression(text, _Parser(text, entity_type).parse())
