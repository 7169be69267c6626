"""Products: ``A_Product`` and its descriptions → Product."""

from __future__ import annotations

from system_apis.contracts.models import Product, Quantity, Source, canonical_id
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.mapping.readers import (
    JsonObject,
    expanded,
    optional_decimal,
    optional_text,
    required_text,
)


def product_from_sap(entity: JsonObject, source: Source, defaults: SapDefaults) -> Product:
    """``A_Product`` (+ ``to_Description``) → Product, named in ``defaults.language``."""
    sku = required_text(entity, "Product")
    descriptions = {
        (optional_text(d, "Language") or "").upper(): optional_text(d, "ProductDescription")
        for d in expanded(entity, "to_Description") or []
    }
    name = descriptions.get(defaults.language.upper()) or next(
        (text for text in descriptions.values() if text), sku
    )
    weight = optional_decimal(entity, "GrossWeight")
    weight_unit = optional_text(entity, "WeightUnit")
    unit = required_text(entity, "BaseUnit")
    return Product(
        id=canonical_id(source.connection, sku),
        native_id=sku,
        source=source,
        sku=sku,
        name=name,
        base_unit=unit,
        unit_decimals=defaults.unit_decimals.get(unit),
        product_type=optional_text(entity, "ProductType"),
        product_group=optional_text(entity, "ProductGroup"),
        gross_weight=(
            Quantity(value=weight, unit=weight_unit) if weight is not None and weight_unit else None
        ),
        deleted=bool(entity.get("IsMarkedForDeletion")),
    )
