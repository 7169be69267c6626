"""Field level: sensitive fields resolve to null for callers without their scope.

Salaries (``payroll:read``), bank accounts (``bank:read``) and customers' credit limits
(``credit:read``) are absent for every other caller, wherever the type appears (a list, a
single record, a nested field). Absent means more than hidden: a resolver asks the process
layer only for the details the caller may see (:func:`employee_details`,
:func:`customer_details`), so the value is never fetched, cached or passed on.

A redacted field is not an error (a list of employees read by a sales token must not fail or
carry an error per row); the response lists the redacted fields by name under
``extensions.redactedFields`` (``["Employee.salary"]``), never a value, so a client can tell
"not yours to see" from "not on record".

Every disclosure of a sensitive field (caller holds the scope, value not null) is recorded on
the request's :class:`FieldAccess`: ``disclosed`` lists them, and ``listeners`` (callables
taking a :class:`Disclosure`) are called at once. The audit log subscribes there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, FieldNode, SelectionNode
from strawberry.extensions import SchemaExtension

from experience_api.security.permissions import Scope
from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.people import EmployeeDetail

if TYPE_CHECKING:
    from experience_api.security.principal import Principal


DETAIL_SCOPES: dict[EmployeeDetail, Scope] = {
    EmployeeDetail.SALARY: Scope.PAYROLL_READ,
    EmployeeDetail.BANK_ACCOUNT: Scope.BANK_READ,
}
"""The scope that reveals each sensitive detail of an employee."""


@dataclass(frozen=True)
class Disclosure:
    """One sensitive value handed to a caller: which field of which record, under which scope."""

    subject: str
    client_id: str
    field: str
    record_id: str
    scope: Scope


@dataclass
class FieldAccess:
    """Per request: the fields redacted, the sensitive values disclosed, and who to tell."""

    redacted: set[str] = field(default_factory=set)
    disclosed: list[Disclosure] = field(default_factory=list)
    listeners: list[Callable[[Disclosure], None]] = field(default_factory=list)
    # Every field name the operation's document selects (set as execution starts; None
    # until then): a sensitive detail the query does not ask for is not fetched either.
    asked: frozenset[str] | None = None

    def disclose(self, disclosure: Disclosure) -> None:
        self.disclosed.append(disclosure)
        for listener in self.listeners:
            listener(disclosure)


CUSTOMER_DETAIL_SCOPES: dict[CustomerDetail, Scope] = {
    CustomerDetail.CREDIT_LIMIT: Scope.CREDIT_READ,
}
"""The scope that reveals each sensitive detail of a customer."""


DETAIL_FIELDS: dict[CustomerDetail | EmployeeDetail, str] = {
    CustomerDetail.CREDIT_LIMIT: "creditLimit",
    EmployeeDetail.SALARY: "salary",
    EmployeeDetail.BANK_ACCOUNT: "bankAccount",
}
"""The GraphQL field that shows each sensitive detail."""


def customer_details(
    principal: Principal, asked: frozenset[str] | None = None
) -> frozenset[CustomerDetail]:
    """The sensitive customer details to read: those ``principal`` may see and, when the
    operation's fields are known (``asked``), that it selects."""
    return frozenset(
        d
        for d, scope in CUSTOMER_DETAIL_SCOPES.items()
        if principal.has(scope) and (asked is None or DETAIL_FIELDS[d] in asked)
    )


def employee_details(
    principal: Principal, asked: frozenset[str] | None = None
) -> frozenset[EmployeeDetail]:
    """The sensitive employee details to read: those ``principal`` may see and, when the
    operation's fields are known (``asked``), that it selects."""
    return frozenset(
        d
        for d, scope in DETAIL_SCOPES.items()
        if principal.has(scope) and (asked is None or DETAIL_FIELDS[d] in asked)
    )


def selected_field_names(document: DocumentNode) -> frozenset[str]:
    """Every field name selected anywhere in ``document`` (operations and fragments)."""
    names: set[str] = set()

    def walk(selections: Iterable[SelectionNode]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            node_set = getattr(selection, "selection_set", None)
            if node_set is not None:
                walk(node_set.selections)

    for definition in document.definitions:
        node_set = getattr(definition, "selection_set", None)
        if node_set is not None:
            walk(node_set.selections)
    return frozenset(names)


class FieldAccessExtension(SchemaExtension):
    """Notes which fields the operation selects (so unasked sensitive details are not
    fetched), and adds ``extensions.redactedFields`` to a response in which a field was
    redacted."""

    def on_execute(self) -> Iterator[None]:
        access = getattr(self.execution_context.context, "field_access", None)
        document = self.execution_context.graphql_document
        if isinstance(access, FieldAccess) and document is not None:
            access.asked = selected_field_names(document)
        yield

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        access = getattr(context, "field_access", None)
        if not isinstance(access, FieldAccess) or not access.redacted:
            return {}
        return {"redactedFields": sorted(access.redacted)}
