"""Business partners: ``A_BusinessPartner`` and its addresses → Customer and Address."""

from __future__ import annotations

from system_apis.contracts.models import Address, Customer, Source, canonical_id
from system_apis.sap.mapping.readers import (
    JsonObject,
    date_as_datetime,
    expanded,
    line_sort_key,
    optional_text,
    required_text,
)


def _country(value: str | None) -> str | None:
    if value and len(value) == 2 and value.isalpha():
        return value.upper()
    return None


def address_from_sap(entity: JsonObject) -> Address:
    """``A_BusinessPartnerAddress`` → Address (street and house number joined)."""
    street = " ".join(
        part
        for part in (optional_text(entity, "StreetName"), optional_text(entity, "HouseNumber"))
        if part
    )
    return Address(
        street=street or None,
        postal_code=optional_text(entity, "PostalCode"),
        city=optional_text(entity, "CityName"),
        region=optional_text(entity, "Region"),
        country=_country(optional_text(entity, "Country")),
    )


def customer_from_sap(entity: JsonObject, source: Source) -> Customer:
    """``A_BusinessPartner`` (+ ``to_BusinessPartnerAddress``) → Customer.

    The native id is the customer number (``Customer``), the number sales documents carry as
    ``SoldToParty``; the first address by ``AddressID`` becomes the customer's address.
    """
    native_id = optional_text(entity, "Customer") or required_text(entity, "BusinessPartner")
    addresses = sorted(
        expanded(entity, "to_BusinessPartnerAddress") or [],
        key=lambda a: line_sort_key(str(a.get("AddressID") or "")),
    )
    return Customer(
        id=canonical_id(source.connection, native_id),
        native_id=native_id,
        source=source,
        name=optional_text(entity, "BusinessPartnerFullName") or native_id,
        is_organization=optional_text(entity, "BusinessPartnerCategory") == "2",
        blocked=bool(entity.get("BusinessPartnerIsBlocked")),
        address=address_from_sap(addresses[0]) if addresses else None,
        created_at=date_as_datetime(entity, "CreationDate"),
        changed_at=date_as_datetime(entity, "LastChangeDate"),
    )
