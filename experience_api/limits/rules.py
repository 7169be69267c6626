"""Validation rules that refuse an operation before it runs: depth, aliases, cost, introspection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)

from experience_api.limits.errors import (
    INTROSPECTION_DISABLED,
    QUERY_TOO_COSTLY,
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    limit_error,
)
from experience_api.limits.measure import OperationMeasurer, PageSizes

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class OperationLimits:
    """The ceilings every operation of a document must stay under."""

    max_depth: int
    max_aliases: int
    max_cost: int
    pages: PageSizes


def operation_limits_rule(
    limits: OperationLimits, variables: Mapping[str, Any] | None
) -> type[ASTValidationRule]:
    """A rule measuring each operation of the document with this request's variables."""

    class OperationLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for error in limit_errors(context.schema, context.document, limits, variables):
                context.report_error(error)

    return OperationLimitsRule


def limit_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: OperationLimits,
    variables: Mapping[str, Any] | None,
) -> list[GraphQLError]:
    """What :func:`operation_limits_rule` reports for ``document`` with these variables."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measurer = OperationMeasurer(schema, fragments, limits.pages, variables)
    errors: list[GraphQLError] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            errors += _check(definition, measurer, limits)
    return errors


def _check(
    operation: OperationDefinitionNode, measurer: OperationMeasurer, limits: OperationLimits
) -> list[GraphQLError]:
    measured = measurer.measure(operation)
    name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
    errors: list[GraphQLError] = []
    if measured.depth > limits.max_depth:
        errors.append(
            limit_error(
                QUERY_TOO_DEEP,
                f"{name} nests fields {measured.depth} levels deep; "
                f"at most {limits.max_depth} are allowed.",
                limit=limits.max_depth,
                actual=measured.depth,
                node=operation,
            )
        )
    if measured.aliases > limits.max_aliases:
        errors.append(
            limit_error(
                TOO_MANY_ALIASES,
                f"{name} uses {measured.aliases} aliases (fragments counted where spread); "
                f"at most {limits.max_aliases} are allowed.",
                limit=limits.max_aliases,
                actual=measured.aliases,
                node=operation,
            )
        )
    if measured.cost > limits.max_cost:
        errors.append(
            limit_error(
                QUERY_TOO_COSTLY,
                f"{name} costs {measured.cost}: each object field counts 1 and a list "
                f"multiplies its selection by its page size (`first`); at most "
                f"{limits.max_cost} is allowed. Ask for smaller pages or fewer nested lists.",
                limit=limits.max_cost,
                actual=measured.cost,
                node=operation,
            )
        )
    return errors


class NoIntrospectionRule(ValidationRule):
    """Refuses ``__schema`` and ``__type``; ``__typename`` stays available."""

    def enter_field(self, node: FieldNode, *_: object) -> None:
        name = node.name.value
        if name in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError(
                    f"Introspection is disabled on this server; '{name}' cannot be queried.",
                    node,
                    extensions={"code": INTROSPECTION_DISABLED},
                )
            )
