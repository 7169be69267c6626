"""Every GraphQL example in README.md and docs/*.md is valid against the gateway's schema, as
a reader would paste it into GraphiQL: whole operations with full selection sets, no
placeholders. (tests/e2e/test_doc_examples.py runs them against the embedded sandbox.)"""

from __future__ import annotations

import pytest
from graphql import build_schema, parse, validate

from experience_api.schema import export_sdl
from tests.support.docs import Example, graphql_examples

EXAMPLES = graphql_examples()


def test_the_documents_show_graphql_examples() -> None:
    files = {example.file for example in EXAMPLES}
    assert {"README.md", "docs/events.md", "docs/outbound-webhooks.md"} <= files
    assert len([e for e in EXAMPLES if e.file == "README.md"]) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_each_example_is_valid_against_the_schema(example: Example) -> None:
    schema = build_schema(export_sdl())

    errors = validate(schema, parse(example.text))

    assert [error.message for error in errors] == [], example.text


def test_an_example_with_a_placeholder_or_a_wrong_field_is_caught() -> None:
    schema = build_schema(export_sdl())
    bad = "query { customers(first: 3) { nodes { id nmae } } }"

    assert [e.message for e in validate(schema, parse(bad))] == [
        "Cannot query field 'nmae' on type 'Customer'. Did you mean 'name'?"
    ]
