"""What a ``$filter`` tells the reader about where its rows are, so it reads fewer of them.

* :func:`equalities`: the values of one property that every matching row holds one of
  (``P eq 'x'``, or ``or`` of such): the rows are read through an index on that property.
* :func:`seek`: a filter keeping what follows a position in an ascending read order
  (``P gt 'a' or (P eq 'a' and Q gt 'b')``, or from it on with ``Q ge 'b'``), the form a
  client continuing a long read after its last row sends: the rows passing the rest of the
  filter, sorted, pass it from one place on, so the reader bisects to it (see
  :func:`erp_sandbox.odata.reader.following`) instead of testing every row.

Both only narrow what is read; every row returned still passes the whole filter.
"""

from __future__ import annotations

from typing import Any

from erp_sandbox.odata.edm import Property, Row
from erp_sandbox.odata.filter import Comparison, Constant, Expression, Logical, Node, PropertyRef
from erp_sandbox.odata.values import compare_key

OrderBy = list[tuple[Property, bool]]


def equalities(expression: Expression) -> tuple[Property, tuple[Any, ...]] | None:
    """A string property every matching row holds one of some values of (as compared):
    ``P eq 'x'`` alone or among ``and`` operands, or ``or`` of such on one property; None
    when the expression names no such values."""
    return _equalities(expression.root)


def seek(expression: Expression, orderby: OrderBy) -> tuple[Expression | None, Row] | None:
    """For a read in ascending ``orderby``: when ``expression`` keeps what follows a position
    in that order, alone or and-joined with other conditions, those other conditions (None
    when there are none) and the position, as a row of the ordered properties; else None."""
    if any(descending for _, descending in orderby):
        # Descending, rows without a value sort last yet never follow a position: the rows
        # would not pass from one place on, and bisecting them would lose some.
        return None
    root = expression.root
    operands = root.operands if isinstance(root, Logical) and root.op == "and" else [root]
    for index, operand in enumerate(operands):
        position = _position(operand, orderby)
        if position is None:
            continue
        rest = operands[:index] + operands[index + 1 :]
        if not rest:
            return None, position
        kept = rest[0] if len(rest) == 1 else Logical("and", rest)
        return Expression(f"{expression.text} (without its position)", kept), position
    return None


def _compared(node: Node, op: str) -> tuple[Property, Any] | None:
    """``property op constant``: the property and the constant's value."""
    if not (isinstance(node, Comparison) and node.op == op):
        return None
    if isinstance(node.left, PropertyRef) and isinstance(node.right, Constant):
        value = node.right.literal.value
        return (node.left.prop, value) if value is not None else None
    return None


def _position(node: Node, orderby: OrderBy) -> Row | None:
    """The position ``node`` keeps what follows, if it is such a clause."""
    alternatives = node.operands if isinstance(node, Logical) and node.op == "or" else [node]
    if not orderby or len(alternatives) != len(orderby):
        return None
    position: Row = {}
    for index, operand in enumerate(alternatives):
        parts = (
            operand.operands if isinstance(operand, Logical) and operand.op == "and" else [operand]
        )
        if len(parts) != index + 1:
            return None
        for (prop, _), part in zip(orderby[:index], parts[:index], strict=True):
            found = _compared(part, "eq")
            if found is None or found[0] != prop or position.get(prop.name) != found[1]:
                return None
        prop, _ = orderby[index]
        found = _compared(parts[index], "gt")
        if found is None and index == len(alternatives) - 1:
            found = _compared(parts[index], "ge")  # from the position on
        if found is None or found[0] != prop:
            return None
        position[prop.name] = found[1]
    return position


def _equalities(node: Node) -> tuple[Property, tuple[Any, ...]] | None:
    if isinstance(node, Comparison):
        if node.op != "eq":
            return None
        for named, given in ((node.left, node.right), (node.right, node.left)):
            if not (isinstance(named, PropertyRef) and isinstance(given, Constant)):
                continue
            value = given.literal.value
            if named.kind != "string" or value is None:
                return None
            prop = named.prop
            return prop, (compare_key(prop if prop.alpha else None, value),)
        return None
    if not isinstance(node, Logical):
        return None
    found = [_equalities(operand) for operand in node.operands]
    if node.op == "and":
        return next((each for each in found if each is not None), None)
    props = {each[0] for each in found if each is not None}
    if None in found or len(props) != 1:
        return None
    return props.pop(), tuple(value for each in found if each is not None for value in each[1])
