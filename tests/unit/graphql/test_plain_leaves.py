"""Plain leaf fields take a short path (experience_api.schema.execution) and answer exactly as
graphql-core's full path does: values, nulls, errors and their paths, extensions that hook
``resolve``; fields with a resolver or a permission class never take it."""

from __future__ import annotations

from enum import Enum
from typing import Any, NewType

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from experience_api.schema import build_schema
from experience_api.schema.execution import (
    PLAIN_LEAF,
    GatewayExecutionContext,
    mark_plain_leaves,
)

Picky = NewType("Picky", str)
PICKY = strawberry.scalar(
    name="Picky",
    serialize=lambda value: value if value != "bad" else 1 / 0,
    parse_value=lambda value: value,
)


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Never(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Inner:
    value: int


@strawberry.type
class Item:
    name: str
    inner: Inner | None
    long_name: str
    note: str | None
    colour: Colour
    picky: Picky | None
    count: int
    secret: str = strawberry.field(permission_classes=[Never], default="s")

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def part(self, n: int) -> str:
        return self.name[:n]


def _more(value: Any) -> dict[str, Any]:
    return {"inner": None if value is None else Inner(value=value), "long_name": f"long {value}"}


def _items() -> list[Item]:
    return [
        Item(name="a", note=None, colour=Colour.RED, picky=Picky("ok"), count=1, **_more(1)),
        Item(name="b", note="n", colour=Colour.BLUE, picky=Picky("bad"), count=2, **_more(None)),
        Item(name=None, note=None, colour=Colour.RED, picky=None, count=3, **_more(3)),  # type: ignore[arg-type]
        Item(name="d", note=None, colour="green", picky=None, count="x", **_more("y")),  # type: ignore[arg-type]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [*_items(), None]

    @strawberry.field
    def item(self) -> Item:
        return _items()[0]


def _schema(short: bool, extensions: list[Any] | None = None) -> strawberry.Schema:
    context = GatewayExecutionContext if short else StrawberryGraphQLCoreExecutionContext
    schema = strawberry.Schema(
        query=Query,
        execution_context_class=context,
        extensions=extensions or [],
        config=StrawberryConfig(scalar_map={Picky: PICKY}),
    )
    if short:
        mark_plain_leaves(schema._schema)
    return schema


def _marked(schema: strawberry.Schema, type_name: str) -> set[str]:
    named = schema._schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    return {name for name, field in named.fields.items() if PLAIN_LEAF in field.extensions}


def test_only_attribute_leaves_without_arguments_are_marked() -> None:
    schema = _schema(short=True)
    assert _marked(schema, "Item") == {"name", "note", "colour", "picky", "count", "longName"}
    assert _marked(schema, "Inner") == {"value"}
    assert _marked(schema, "Query") == set()


QUERIES = [
    "{ items { name note colour picky count } }",
    "{ items { longName inner { value } } item { inner { value } } }",
    "{ items { name shout part(n: 1) secret } }",
    "{ item { name note colour picky count shout secret } }",
    "{ items { ... on Item { count colour } alias: name } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_the_short_path_answers_as_the_full_path(query: str) -> None:
    full = await _schema(short=False).execute(query)
    short = await _schema(short=True).execute(query)
    assert short.data == full.data
    assert [(e.message, e.path) for e in short.errors or []] == [
        (e.message, e.path) for e in full.errors or []
    ]
    assert full.errors  # the queries hit nulls in non-null fields and coercion failures


class CountResolves(SchemaExtension):
    seen: list[str] = []  # noqa: RUF012

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountResolves.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_an_extension_hooking_resolve_sees_every_leaf() -> None:
    CountResolves.seen = []
    result = await _schema(short=True, extensions=[CountResolves]).execute(
        "{ item { name count } }"
    )
    assert result.data == {"item": {"name": "a", "count": 1}}
    assert CountResolves.seen == ["item", "name", "count"]


def test_gateway_marks_no_field_with_a_resolver_or_a_permission() -> None:
    schema = build_schema()
    marked = 0
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType):
            continue
        for field in named.fields.values():
            if PLAIN_LEAF in field.extensions:
                marked += 1
                definition = field.extensions["strawberry-definition"]
                assert definition.base_resolver is None
                assert not definition.extensions
    assert marked > 100
    assert _marked(schema, "SalesOrder") >= {"number", "id", "status"}
    assert "salary" not in _marked(schema, "Employee")
    assert "customer" not in _marked(schema, "SalesOrder")
