"""EDM definitions of an OData v2 service: properties, entity types and sets, navigations.

The definitions are plain frozen dataclasses; the constructors :func:`string`, :func:`decimal`,
:func:`date`, :func:`timestamp` and :func:`boolean` give the SAP flavours of each EDM type
(``sap:display-format``, precision of dates, and so on). Rows are plain dictionaries from
property name to Python value (``str``, ``bool``, ``Decimal``, ``datetime``, ``time``, ``int``
or None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Row = dict[str, Any]
"""One entity as stored: property name to Python value."""


class EdmType(StrEnum):
    """The EDM primitive types the engine knows."""

    STRING = "Edm.String"
    BOOLEAN = "Edm.Boolean"
    DECIMAL = "Edm.Decimal"
    DATETIME = "Edm.DateTime"
    DATETIMEOFFSET = "Edm.DateTimeOffset"
    TIME = "Edm.Time"
    INT32 = "Edm.Int32"
    INT64 = "Edm.Int64"
    DOUBLE = "Edm.Double"


NUMERIC_TYPES = frozenset({EdmType.DECIMAL, EdmType.INT32, EdmType.INT64, EdmType.DOUBLE})
TEMPORAL_TYPES = frozenset({EdmType.DATETIME, EdmType.DATETIMEOFFSET})


@dataclass(frozen=True)
class Property:
    """A structural property of an entity type.

    ``alpha`` marks document numbers that SAP stores with leading zeros (ALPHA conversion):
    they compare and sort as numbers when they are numeric. ``unit`` names the property
    holding the unit or currency (``sap:unit``). ``concurrency`` marks the ETag property.
    """

    name: str
    type: EdmType
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    nullable: bool = True
    label: str = ""
    creatable: bool = True
    updatable: bool = True
    display_format: str | None = None
    unit: str | None = None
    semantics: str | None = None
    concurrency: bool = False
    alpha: bool = False


@dataclass(frozen=True)
class NavigationProperty:
    """A navigation to the rows of ``target`` (an entity set of the same service).

    ``join`` pairs properties of the source with properties of the target; ``many`` tells a
    to-many navigation (``{"results": [...]}``) from a to-one navigation.
    """

    name: str
    target: str
    many: bool
    join: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EntityType:
    """An entity type: keys, properties, navigations and how to compute its ETag."""

    name: str
    keys: tuple[str, ...]
    properties: tuple[Property, ...]
    navigations: tuple[NavigationProperty, ...] = ()
    label: str = ""
    etag: Callable[[Row], str] | None = field(default=None, compare=False)

    def property(self, name: str) -> Property | None:
        """The property called ``name``, or None."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None

    def navigation(self, name: str) -> NavigationProperty | None:
        """The navigation property called ``name``, or None."""
        for nav in self.navigations:
            if nav.name == name:
                return nav
        return None

    def key_properties(self) -> tuple[Property, ...]:
        """The key properties in key order."""
        props = []
        for key in self.keys:
            prop = self.property(key)
            if prop is None:
                raise ValueError(f"{self.name}: key {key} is not a property")
            props.append(prop)
        return tuple(props)

    def key_of(self, row: Row) -> tuple[Any, ...]:
        """The key values of ``row``."""
        return tuple(row.get(key) for key in self.keys)


@dataclass(frozen=True)
class EntitySet:
    """An entity set and what it allows."""

    name: str
    entity_type: EntityType
    creatable: bool = False
    updatable: bool = False
    deletable: bool = False


@dataclass(frozen=True)
class Parameter:
    """An input parameter of a function import."""

    name: str
    type: EdmType
    max_length: int | None = None


@dataclass(frozen=True)
class ComplexType:
    """A structured type without a key, such as the messages a function import answers."""

    name: str
    properties: tuple[Property, ...]


@dataclass(frozen=True)
class FunctionImport:
    """A function import returning one entity of ``entity_set``, or, with ``returns``, an
    instance of that complex type (a collection of them when ``many``)."""

    name: str
    entity_set: str | None
    parameters: tuple[Parameter, ...]
    http_method: str = "POST"
    action_for: str | None = None
    returns: ComplexType | None = None
    many: bool = False


@dataclass(frozen=True)
class Service:
    """An OData service: its name (also the schema namespace), version and contents."""

    name: str
    entity_sets: tuple[EntitySet, ...]
    functions: tuple[FunctionImport, ...] = ()
    version: str = "0001"
    component_id: str = ""

    @property
    def path_segment(self) -> str:
        """The URL segment: the name, with ``;v=NNNN`` for versions after 0001."""
        if self.version == "0001":
            return self.name
        return f"{self.name};v={self.version}"

    def entity_set(self, name: str) -> EntitySet | None:
        """The entity set called ``name``, or None."""
        for entity_set in self.entity_sets:
            if entity_set.name == name:
                return entity_set
        return None

    def function(self, name: str) -> FunctionImport | None:
        """The function import called ``name``, or None."""
        for function in self.functions:
            if function.name == name:
                return function
        return None

    def set_of_type(self, entity_type: EntityType) -> EntitySet:
        """The entity set holding ``entity_type``."""
        for entity_set in self.entity_sets:
            if entity_set.entity_type.name == entity_type.name:
                return entity_set
        raise KeyError(entity_type.name)


def string(name: str, length: int, **options: Any) -> Property:
    """An ``Edm.String`` property with ``MaxLength`` (upper case display unless told)."""
    options.setdefault("display_format", "UpperCase")
    return Property(name, EdmType.STRING, max_length=length, **options)


def key_string(name: str, length: int, **options: Any) -> Property:
    """A non-nullable string key property."""
    return string(name, length, nullable=False, **options)


def decimal(name: str, precision: int, scale: int, **options: Any) -> Property:
    """An ``Edm.Decimal`` property with precision and scale."""
    return Property(name, EdmType.DECIMAL, precision=precision, scale=scale, **options)


def date(name: str, **options: Any) -> Property:
    """An ``Edm.DateTime`` holding a date (``Precision="0"``, ``sap:display-format="Date"``)."""
    options.setdefault("display_format", "Date")
    return Property(name, EdmType.DATETIME, precision=0, **options)


def timestamp(name: str, **options: Any) -> Property:
    """An ``Edm.DateTimeOffset`` UTC time stamp with 7 fractional digits."""
    return Property(name, EdmType.DATETIMEOFFSET, precision=7, **options)


def time_of_day(name: str, **options: Any) -> Property:
    """An ``Edm.Time`` time of day (``Precision="0"``), held as a ``datetime.time``."""
    return Property(name, EdmType.TIME, precision=0, **options)


def boolean(name: str, **options: Any) -> Property:
    """An ``Edm.Boolean`` property."""
    return Property(name, EdmType.BOOLEAN, **options)
