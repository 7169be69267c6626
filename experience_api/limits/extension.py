"""The schema extension that applies the operation limits to every request, HTTP or WebSocket.

Tokens are counted before the document is parsed (and the parser is told to stop past the
limit, too); depth, aliases and cost are validation rules priced with the request's own
variables; introspection is refused by a rule when it is off. "Did you mean ...?" hints are
taken out of every error message, so a client cannot map the schema by guessing names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    Lexer,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from experience_api.limits.errors import QUERY_TOO_COMPLEX, TOO_MANY_TOKENS, limit_error
from experience_api.limits.rules import NoIntrospectionRule, OperationLimits, operation_limits_rule

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True)
class GuardConfig:
    """Everything :class:`OperationGuard` enforces."""

    operations: OperationLimits
    max_tokens: int
    introspection: bool


class OperationGuard(SchemaExtension):
    """Refuses an operation over a limit before anything is resolved."""

    def __init__(self, config: GuardConfig) -> None:
        self.config = config

    @classmethod
    def factory(cls, config: GuardConfig) -> Callable[[], OperationGuard]:
        """One fresh extension per operation, as strawberry expects."""
        return lambda: cls(config)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rules = [operation_limits_rule(self.config.operations, context.variables)]
        if not self.config.introspection:
            rules.append(NoIntrospectionRule)
        context.validation_rules = (*context.validation_rules, *rules)
        yield
        _explain_errors(context)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.config.max_tokens
        if context.graphql_document is None and context.query:
            count = count_tokens(context.query, self.config.max_tokens)
            if count > self.config.max_tokens:
                refuse(
                    context,
                    limit_error(
                        TOO_MANY_TOKENS,
                        f"The document has {count} tokens; at most {self.config.max_tokens} "
                        "are allowed.",
                        limit=self.config.max_tokens,
                        actual=count,
                    ),
                )
        yield


def count_tokens(query: str, limit: int) -> int:
    """The number of lexical tokens in ``query`` (what the parser would read).

    Counting stops at a lexical error: the parser reports that one itself.
    """
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
    except GraphQLSyntaxError:
        return min(count, limit)
    return count


def _placeholder(operation_name: str | None) -> DocumentNode:
    # Named like the requested operation, so strawberry can still tell its type (a query).
    name = NameNode(value=operation_name) if operation_name is not None else None
    selection = FieldNode(name=NameNode(value="__typename"), directives=(), arguments=())
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=name,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(selection,)),
    )
    return DocumentNode(definitions=(operation,))


def refuse(context: ExecutionContext, error: GraphQLError) -> None:
    """End the operation with ``error`` as a request error, before parsing or validating.

    Strawberry skips parsing when a document is already there and skips validation when
    errors are already recorded; it then answers those errors, and nothing runs.
    """
    context.graphql_document = _placeholder(context.operation_name)
    context.pre_execution_errors = [error]


def _explain_errors(context: ExecutionContext) -> None:
    """Takes suggestions out of messages; gives graphql-core's own abort a code and a reason."""
    errors = list(context.pre_execution_errors or [])
    if context.result is not None and context.result.errors:
        errors.extend(context.result.errors)
    for error in errors:
        if "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)
        if isinstance(error, ValidationAbortedError):
            # graphql-core gives up when checking the document would take too long (many
            # fields of the same name to compare, fragments spread over and over).
            error.message = (
                "Validation aborted: the document is too complex to check (too many fields "
                "to compare or fragments to expand); send a smaller one."
            )
            error.extensions = {"code": QUERY_TOO_COMPLEX}
