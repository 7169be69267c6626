"""Depth, aliases and cost of operations over the gateway's own schema."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, parse

from experience_api.limits.measure import Measure, OperationMeasurer, PageSizes
from experience_api.schema import build_schema

PAGES = PageSizes(default=20, maximum=100)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def measure(
    schema: GraphQLSchema, document: str, variables: dict[str, Any] | None = None
) -> Measure:
    ast = parse(document)
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in ast.definitions if isinstance(d, OperationDefinitionNode))
    return OperationMeasurer(schema, fragments, PAGES, variables).measure(operation)


def test_leaves_cost_nothing_and_objects_one(schema: GraphQLSchema) -> None:
    query = '{ salesOrder(id: "EU01:1") { number customer { name address { city } } } }'
    assert measure(schema, query) == Measure(depth=4, aliases=0, cost=3)


def test_a_connection_multiplies_its_nodes_by_first(schema: GraphQLSchema) -> None:
    small = measure(schema, "{ customers(first: 5) { totalCount nodes { address { city } } } }")
    large = measure(schema, "{ customers(first: 50) { totalCount nodes { address { city } } } }")
    # customers 1 + nodes (1 + first x address 1)
    assert small.cost == 1 + 1 + 5
    assert large.cost == 1 + 1 + 50


def test_without_first_the_default_page_size_applies(schema: GraphQLSchema) -> None:
    assert measure(schema, "{ customers { nodes { address { city } } } }").cost == 2 + 20


def test_first_is_capped_at_the_largest_page(schema: GraphQLSchema) -> None:
    assert measure(schema, "{ customers(first: 100000) { nodes { address { city } } } }").cost == (
        2 + 100
    )


def test_nested_lists_multiply(schema: GraphQLSchema) -> None:
    query = """{ salesOrders(first: 50) {
        nodes { customer { name } lines { product { name } } } } }"""
    # The example priced in the module's docstring.
    assert measure(schema, query).cost == 1 + 1 + 50 * (1 + 1 + 20 * 1)


def test_first_from_variables_and_their_defaults(schema: GraphQLSchema) -> None:
    query = "query Q($n: Int = 7) { customers(first: $n) { nodes { address { city } } } }"
    assert measure(schema, query).cost == 2 + 7
    assert measure(schema, query, {"n": 30}).cost == 2 + 30
    # A value coercion will refuse is priced as the largest page until then.
    assert measure(schema, query, {"n": "lots"}).cost == 2 + 100


def test_fragments_count_where_they_are_spread(schema: GraphQLSchema) -> None:
    query = """
    query { customers(first: 10) { nodes { ...C } } a: customers(first: 10) { nodes { ...C } } }
    fragment C on Customer { x: address { city } y: address { country } }
    """
    measured = measure(schema, query)
    assert measured.aliases == 1 + 2 * 2
    assert measured.cost == 2 * (1 + 1 + 10 * 2)
    assert measured.depth == 4


def test_inline_fragments_are_walked(schema: GraphQLSchema) -> None:
    query = "{ customers { nodes { ... on Customer { deep: address { city } } } } }"
    assert measure(schema, query) == Measure(depth=4, aliases=1, cost=2 + 20)


def test_fragment_cycles_do_not_loop(schema: GraphQLSchema) -> None:
    query = """
    { customers { nodes { ...A } } }
    fragment A on Customer { address { city } ...B }
    fragment B on Customer { ...A }
    """
    assert measure(schema, query).cost == 2 + 20


def test_fragments_spread_into_each_other_are_measured_once_each(schema: GraphQLSchema) -> None:
    # 30 levels of fragments each spreading the next twice expand to 2^30 selections;
    # the measure must multiply, not walk them.
    levels = 30
    fragments = "\n".join(
        f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query = f"{{ customers(first: 1) {{ nodes {{ ...F0 }} }} }}\n{fragments}\n" + (
        f"fragment F{levels} on Customer {{ a: address {{ city }} }}"
    )
    measured = measure(schema, query)
    assert measured.aliases == 2**levels
    assert measured.cost == 2 + 2**levels


def test_introspection_is_not_priced(schema: GraphQLSchema) -> None:
    measured = measure(schema, "{ __schema { types { fields { type { ofType { name } } } } } }")
    assert measured == Measure(depth=1, aliases=0, cost=0)
