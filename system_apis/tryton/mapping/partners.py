"""Customers: ``party.party`` and its first address → Customer.

Tryton has no customer flag (any party may buy) and no person/organisation distinction, so a
customer is a party and ``is_organization`` is always true. An archived party is ``blocked``.
"""

from __future__ import annotations

from system_apis.contracts.models import Address, Customer, Source, canonical_id
from system_apis.tryton.mapping.readers import (
    Row,
    flag,
    native_id,
    nested_list,
    nested_text,
    optional_text,
    required_text,
    timestamp,
)

CUSTOMER_FIELDS = (
    "name",
    "active",
    "create_date",
    "write_date",
    "addresses.street_single_line",
    "addresses.postal_code",
    "addresses.city",
    "addresses.subdivision.code",
    "addresses.country.code",
)


def address_from_tryton(row: Row) -> Address | None:
    """A ``party.address`` row → Address; None when it holds nothing."""
    country = nested_text(row, "country.code")
    address = Address(
        street=optional_text(row, "street_single_line"),
        postal_code=optional_text(row, "postal_code"),
        city=optional_text(row, "city"),
        region=nested_text(row, "subdivision.code"),
        country=country.upper() if country else None,
    )
    return address if address != Address() else None


def customer_from_tryton(row: Row, source: Source) -> Customer:
    """A ``party.party`` row read with :data:`CUSTOMER_FIELDS` → Customer."""
    native = native_id(row)
    addresses = (address_from_tryton(a) for a in nested_list(row, "addresses"))
    created = timestamp(row, "create_date")
    return Customer(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        name=required_text(row, "name"),
        is_organization=True,
        blocked=not flag(row, "active", default=True),
        address=next((a for a in addresses if a is not None), None),
        created_at=created,
        changed_at=timestamp(row, "write_date") or created,
    )
