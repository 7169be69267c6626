"""How deep, how aliased and how costly one operation is, fragments included.

The cost model: every field that selects sub-fields (an object or a list of objects) costs 1;
a leaf costs nothing. A list field multiplies the cost of its selection by its page size:
the ``first`` argument of the field itself or of the connection it belongs to (``nodes``,
``edges``), else the default page size; capped at the largest page a resolver would serve.
So ``salesOrders(first: 50) { nodes { customer { name } lines { product { name } } } }``
costs 1 + 1 + 50 * (1 + 1 + 20 * 1) = 1102.

Each fragment is measured once per page size it is spread under, so a document that
spreads fragments into each other costs linear time to measure, not exponential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
)

PAGE_SIZE_ARGUMENT = "first"


@dataclass(frozen=True)
class PageSizes:
    """The page sizes the resolvers apply, used to price list fields."""

    default: int
    maximum: int

    def clamp(self, size: int) -> int:
        return max(1, min(size, self.maximum))


@dataclass(frozen=True)
class Measure:
    """What one selection adds up to: nesting depth, aliases, cost."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


EMPTY = Measure()


class OperationMeasurer:
    """Measures the operations of one document against a schema and the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        pages: PageSizes,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._pages = pages
        self._variables: Mapping[str, Any] = variables or {}
        self._defaults: dict[str, Any] = {}
        self._memo: dict[tuple[str, int | None], Measure] = {}
        self._visiting: set[str] = set()

    def measure(self, operation: OperationDefinitionNode) -> Measure:
        root = self._schema.get_root_type(operation.operation)
        self._defaults = {
            definition.variable.name.value: _int_literal(definition.default_value)
            for definition in operation.variable_definitions or ()
        }
        # A fragment priced under another operation's variable defaults may differ.
        self._memo.clear()
        return self._selections(operation.selection_set, root, None)

    def _selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        page_size: int | None,
    ) -> Measure:
        depth = aliases = cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = self._field(selection, parent, page_size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self._schema.get_type(condition.name.value) if condition else parent
                part = self._selections(selection.selection_set, target, page_size)
            elif isinstance(selection, FragmentSpreadNode):
                part = self._fragment(selection.name.value, page_size)
            else:  # pragma: no cover - graphql-core knows no other selection
                part = EMPTY
            depth = max(depth, part.depth)
            aliases += part.aliases
            cost += part.cost
        return Measure(depth, aliases, cost)

    def _fragment(self, name: str, page_size: int | None) -> Measure:
        key = (name, page_size)
        if key in self._memo:
            return self._memo[key]
        fragment = self._fragments.get(name)
        if fragment is None or name in self._visiting:
            # Unknown fragments and cycles are reported by the standard validation rules.
            return EMPTY
        self._visiting.add(name)
        try:
            target = self._schema.get_type(fragment.type_condition.name.value)
            result = self._selections(fragment.selection_set, target, page_size)
        finally:
            self._visiting.discard(name)
        self._memo[key] = result
        return result

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType | None, inherited: int | None
    ) -> Measure:
        alias = 1 if node.alias else 0
        name = node.name.value
        if name.startswith("__"):
            # Introspection is answered from the schema in memory: no ERP work to price,
            # and whether it is allowed at all is a rule of its own.
            return Measure(depth=1, aliases=alias)
        fields = (
            parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        definition = fields.get(name)
        if definition is None or node.selection_set is None:
            return Measure(depth=1, aliases=alias)
        own_size = self._page_size(node) if PAGE_SIZE_ARGUMENT in definition.args else None
        multiplier = 1
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            multiplier = own_size or inherited or self._pages.default
        inner = self._selections(node.selection_set, get_named_type(definition.type), own_size)
        return Measure(
            depth=1 + inner.depth,
            aliases=alias + inner.aliases,
            cost=1 + multiplier * inner.cost,
        )

    def _page_size(self, node: FieldNode) -> int:
        argument = next(
            (a for a in node.arguments or () if a.name.value == PAGE_SIZE_ARGUMENT), None
        )
        if argument is None:
            return self._pages.default
        value = self._argument_value(argument.value)
        if value is None:
            return self._pages.default
        return self._pages.clamp(value)

    def _argument_value(self, node: ValueNode) -> int | None:
        if isinstance(node, VariableNode):
            name = node.name.value
            value = self._variables.get(name, self._defaults.get(name))
            if value is None:
                return None
            # Not an int: coercion will reject it; until then assume the largest page.
            return (
                value
                if isinstance(value, int) and not isinstance(value, bool)
                else (self._pages.maximum)
            )
        literal = _int_literal(node)
        if literal is None and not _is_null(node):
            return self._pages.maximum
        return literal


def _int_literal(node: ValueNode | None) -> int | None:
    if isinstance(node, IntValueNode):
        try:
            return int(node.value)
        except ValueError:  # pragma: no cover - the lexer only emits digits
            return None
    return None


def _is_null(node: ValueNode) -> bool:
    return node.kind == "null_value"
