"""``$metadata`` (EDMX 1.0, DataServiceVersion 2.0 with ``sap:`` annotations) and the service
document of a :class:`~erp_sandbox.odata.edm.Service`.

Every navigation gets its own association named like SAP names them (``assoc_`` and 32 hex
digits, derived from the type and navigation names) with an association set in the container.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape, quoteattr

from erp_sandbox.odata.edm import EntityType, NavigationProperty, Property, Service

EDMX_NS = "http://schemas.microsoft.com/ado/2007/06/edmx"
METADATA_NS = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
SAP_NS = "http://www.sap.com/Protocols/SAPData"
EDM_NS = "http://schemas.microsoft.com/ado/2008/09/edm"


def _attrs(pairs: list[tuple[str, str | None]]) -> str:
    return "".join(f" {name}={quoteattr(value)}" for name, value in pairs if value is not None)


def association_name(service: Service, entity_type: EntityType, nav: NavigationProperty) -> str:
    """The association behind ``nav``: ``assoc_`` and 32 upper-case hex digits."""
    digest = hashlib.md5(
        f"{service.name}.{entity_type.name}.{nav.name}".encode(), usedforsecurity=False
    )
    return "assoc_" + digest.hexdigest().upper()


def _property(prop: Property) -> str:
    pairs: list[tuple[str, str | None]] = [
        ("Name", prop.name),
        ("Type", prop.type.value),
        ("Nullable", None if prop.nullable else "false"),
        ("MaxLength", str(prop.max_length) if prop.max_length is not None else None),
        ("Precision", str(prop.precision) if prop.precision is not None else None),
        ("Scale", str(prop.scale) if prop.scale is not None else None),
        ("ConcurrencyMode", "Fixed" if prop.concurrency else None),
        ("sap:display-format", prop.display_format),
        ("sap:unit", prop.unit),
        ("sap:label", prop.label or None),
        ("sap:semantics", prop.semantics),
        ("sap:creatable", None if prop.creatable else "false"),
        ("sap:updatable", None if prop.updatable else "false"),
    ]
    return f"<Property{_attrs(pairs)}/>"


def _entity_type(service: Service, entity_type: EntityType) -> str:
    ns = service.name
    parts = [
        f"<EntityType{_attrs([('Name', entity_type.name), ('sap:label', entity_type.label)])}"
        ' sap:content-version="1">',
        "<Key>",
        *(f"<PropertyRef Name={quoteattr(key)}/>" for key in entity_type.keys),
        "</Key>",
        *(_property(prop) for prop in entity_type.properties),
    ]
    for nav in entity_type.navigations:
        assoc = association_name(service, entity_type, nav)
        pairs: list[tuple[str, str | None]] = [
            ("Name", nav.name),
            ("Relationship", f"{ns}.{assoc}"),
            ("FromRole", f"FromRole_{assoc}"),
            ("ToRole", f"ToRole_{assoc}"),
        ]
        parts.append(f"<NavigationProperty{_attrs(pairs)}/>")
    parts.append("</EntityType>")
    return "".join(parts)


def _associations(service: Service) -> tuple[list[str], list[str]]:
    ns = service.name
    associations, association_sets = [], []
    for entity_set in service.entity_sets:
        entity_type = entity_set.entity_type
        for nav in entity_type.navigations:
            target = service.entity_set(nav.target)
            if target is None:
                raise ValueError(f"{entity_type.name}.{nav.name}: unknown set {nav.target}")
            assoc = association_name(service, entity_type, nav)
            associations.append(
                f'<Association Name="{assoc}" sap:content-version="1">'
                f'<End Type="{ns}.{entity_type.name}" Multiplicity="1" Role="FromRole_{assoc}"/>'
                f'<End Type="{ns}.{target.entity_type.name}" '
                f'Multiplicity="{"*" if nav.many else "1"}" Role="ToRole_{assoc}"/>'
                "</Association>"
            )
            association_sets.append(
                f'<AssociationSet Name="{assoc}" Association="{ns}.{assoc}" '
                'sap:creatable="false" sap:updatable="false" sap:deletable="false" '
                'sap:content-version="1">'
                f'<End EntitySet="{entity_set.name}" Role="FromRole_{assoc}"/>'
                f'<End EntitySet="{target.name}" Role="ToRole_{assoc}"/>'
                "</AssociationSet>"
            )
    return associations, association_sets


def _flag(name: str, allowed: bool) -> str:
    return "" if allowed else f' sap:{name}="false"'


def _container(service: Service, association_sets: list[str]) -> str:
    ns = service.name
    parts = [
        f'<EntityContainer Name="{ns}_Entities" m:IsDefaultEntityContainer="true" '
        'sap:message-scope-supported="true" sap:supported-formats="atom json xlsx">'
    ]
    for entity_set in service.entity_sets:
        parts.append(
            f'<EntitySet Name="{entity_set.name}" EntityType="{ns}.{entity_set.entity_type.name}"'
            f"{_flag('creatable', entity_set.creatable)}"
            f"{_flag('updatable', entity_set.updatable)}"
            f"{_flag('deletable', entity_set.deletable)}"
            ' sap:content-version="1"/>'
        )
    parts.extend(association_sets)
    for function in service.functions:
        if function.returns is not None:
            type_name, set_name = f"{ns}.{function.returns.name}", None
        else:
            target = service.entity_set(function.entity_set or "")
            if target is None:
                raise ValueError(f"{function.name}: unknown set {function.entity_set}")
            type_name, set_name = f"{ns}.{target.entity_type.name}", target.name
        pairs: list[tuple[str, str | None]] = [
            ("Name", function.name),
            ("ReturnType", f"Collection({type_name})" if function.many else type_name),
            ("EntitySet", set_name),
            ("m:HttpMethod", function.http_method),
            ("sap:action-for", f"{ns}.{function.action_for}" if function.action_for else None),
        ]
        parts.append(f"<FunctionImport{_attrs(pairs)}>")
        for parameter in function.parameters:
            max_length = str(parameter.max_length) if parameter.max_length else None
            parameter_pairs: list[tuple[str, str | None]] = [
                ("Name", parameter.name),
                ("Type", parameter.type.value),
                ("Mode", "In"),
                ("MaxLength", max_length),
            ]
            parts.append(f"<Parameter{_attrs(parameter_pairs)}/>")
        parts.append("</FunctionImport>")
    parts.append("</EntityContainer>")
    return "".join(parts)


def build_metadata(service: Service) -> str:
    """The EDMX document of ``service``."""
    types: list[str] = []
    seen: set[str] = set()
    for entity_set in service.entity_sets:
        if entity_set.entity_type.name not in seen:
            seen.add(entity_set.entity_type.name)
            types.append(_entity_type(service, entity_set.entity_type))
    for function in service.functions:
        complex_type = function.returns
        if complex_type is not None and complex_type.name not in seen:
            seen.add(complex_type.name)
            properties = "".join(_property(prop) for prop in complex_type.properties)
            types.append(
                f"<ComplexType Name={quoteattr(complex_type.name)}>{properties}</ComplexType>"
            )
    associations, association_sets = _associations(service)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<edmx:Edmx Version="1.0" xmlns:edmx="{EDMX_NS}" xmlns:m="{METADATA_NS}" '
        f'xmlns:sap="{SAP_NS}">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{service.name}" xml:lang="en" sap:schema-version="1" '
        f'xmlns="{EDM_NS}">'
        + "".join(types)
        + "".join(associations)
        + _container(service, association_sets)
        + "</Schema></edmx:DataServices></edmx:Edmx>"
    )


def service_document_json(service: Service) -> dict[str, object]:
    """The JSON service document: the names of the entity sets."""
    return {"d": {"EntitySets": [entity_set.name for entity_set in service.entity_sets]}}


def service_document_xml(service: Service, root_uri: str) -> str:
    """The AtomPub service document SAP answers by default."""
    collections = "".join(
        f"<app:collection href={quoteattr(entity_set.name)}"
        f"{_flag('creatable', entity_set.creatable)}"
        f"{_flag('updatable', entity_set.updatable)}"
        f"{_flag('deletable', entity_set.deletable)}"
        ' sap:content-version="1">'
        f'<atom:title type="text">{escape(entity_set.name)}</atom:title>'
        f"<sap:member-title>{escape(entity_set.entity_type.label or entity_set.name)}"
        "</sap:member-title></app:collection>"
        for entity_set in service.entity_sets
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<app:service xml:lang="en" xml:base={quoteattr(root_uri.rstrip("/") + "/")} '
        'xmlns:app="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom" '
        f'xmlns:sap="{SAP_NS}" xmlns:ux="http://www.sap.com/Protocols/OData4SAP/UX">'
        '<app:workspace><atom:title type="text">Data</atom:title>'
        f"{collections}</app:workspace></app:service>"
    )
