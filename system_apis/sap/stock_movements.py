"""Stock adjustments and stock change capture on SAP's material documents.

**Posting** (:meth:`StockMovements.adjust`), in requests:

1. ``GET A_Product('<sku>')``: the product exists (NotFound otherwise) and its base unit, the
   entry unit when the adjustment names none;
2. ``GET A_MaterialDocumentHeader?$filter=MaterialDocumentHeaderText eq '<text>'``: a document
   carrying the reference (see :func:`~system_apis.sap.mapping.material_documents.header_text`)
   means the adjustment was posted before, and nothing is posted again;
3. ``POST A_MaterialDocumentHeader`` with one item (deep insert), movement type per
   :class:`~system_apis.sap.mapping.material_documents.MovementTypes`; when its outcome is
   unknown (the answer was lost), step 2 is repeated: the document is there or the
   UnknownOutcome stands, and a retry with the same reference is safe either way;
4. ``GET A_MatlStkInAcctMod``: the level after the movement.

A stock deficit is refused by SAP (``M7/021``) and raised as InsufficientStock; nothing is
posted. SAP refuses an unknown plant or storage location with a message targeting it, which
becomes NotFound.

**Change capture** (:meth:`StockMovements.changed_levels`): stock changes only by goods
movements, and every goods movement is a material document (receipts, issues, goods issues of
deliveries alike). Documents entered since the instant (``CreationDate`` after its day in the
system time zone, or on that day with ``CreationTime ge`` its time) name the
material, plant and storage location they moved; each such place is one level, stamped with its
latest document's time, its quantity read from ``A_MatlStkInAcctMod``. Because SAP stamps to
the second, a document entered in the same second as the instant is included even when its
``changed_at`` is a fraction of a second before it: a change is seen twice rather than never.

**Releases**: ``A_MaterialDocumentItem.DebitCreditCode`` exists in newer releases only, and an
older one refuses a ``$select`` naming it. The service's ``$metadata`` is read once per
connection, on the first read of material documents; the code is selected only when the item
type declares it, and the direction of an item otherwise follows from its movement type (see
:mod:`system_apis.sap.mapping.material_documents`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from system_apis.contracts import keyset
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.errors import (
    Conflict,
    NotFound,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.contracts.models import InventoryLevel, Quantity, Source, canonical_id
from system_apis.contracts.queries import InventoryFilter, Page, PageRequest
from system_apis.sap import queries
from system_apis.sap.answers import JsonObject
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.codes import location_of, split_location
from system_apis.sap.mapping.material_documents import (
    MovementTypes,
    declares_debit_credit,
    document_time,
    header_text,
    material_document_body,
    movements,
)
from system_apis.sap.mapping.stock import inventory_from_sap
from system_apis.sap.odata import all_of, any_of, eq, ge, gt, one_of

T = TypeVar("T")

MATERIAL_DOCUMENT = "API_MATERIAL_DOCUMENT_SRV"
HEADERS = "A_MaterialDocumentHeader"
DOCUMENT_SELECT = (
    "MaterialDocumentYear",
    "MaterialDocument",
    "CreationDate",
    "CreationTime",
    "MaterialDocumentHeaderText",
    "to_MaterialDocumentItem/Material",
    "to_MaterialDocumentItem/Plant",
    "to_MaterialDocumentItem/StorageLocation",
    "to_MaterialDocumentItem/MaterialBaseUnit",
    "to_MaterialDocumentItem/QuantityInBaseUnit",
    "to_MaterialDocumentItem/EntryUnit",
    "to_MaterialDocumentItem/QuantityInEntryUnit",
    "to_MaterialDocumentItem/GoodsMovementType",
)
DEBIT_CREDIT = "to_MaterialDocumentItem/DebitCreditCode"
"""Selected as well when the connected release has it."""
ITEMS = ("to_MaterialDocumentItem",)
# Messages SAP answers for a plant or storage location that does not exist (the sandbox's
# choice of codes; see docs/sap.md).
LOCATION_CODES = frozenset({"ME/040", "M7/001"})

Place = tuple[str, str, str]
"""Material, plant, storage location."""


class Guard(Protocol):
    """Runs the mapping of an answer, translating a malformed payload into a project error."""

    def __call__(self, convert: Callable[[], T]) -> T: ...


class StockMovements:
    """Posts adjustments as material documents and finds the levels documents changed.

    ``mapped`` and ``written`` run a mapping of an answer to a read or to an accepted write and
    translate a malformed payload into the project's errors (see ``SapAdapter``).
    """

    def __init__(
        self,
        client: SapODataClient,
        source: Source,
        types: MovementTypes,
        zone: ZoneInfo,
        mapped: Guard,
        written: Guard,
    ) -> None:
        self._client = client
        self._source = source
        self._types = types
        self._zone = zone
        self._mapped = mapped
        self._written = written
        self._select: tuple[str, ...] | None = None
        self._select_lock = asyncio.Lock()

    async def _document_select(self) -> tuple[str, ...]:
        """What material document reads select: with ``DebitCreditCode`` if the release has it
        (its ``$metadata`` read once, on first use; a failed read is tried again next time)."""
        if self._select is None:
            async with self._select_lock:
                if self._select is None:
                    metadata = await self._client.metadata(MATERIAL_DOCUMENT)
                    declared = self._mapped(lambda: declares_debit_credit(metadata))
                    self._select = (*DOCUMENT_SELECT, DEBIT_CREDIT) if declared else DOCUMENT_SELECT
        return self._select

    # -- posting -----------------------------------------------------------------------------

    async def adjust(self, adjustment: StockAdjustment) -> InventoryLevel:
        plant, storage_location = self._place(adjustment.location)
        product = await self._client.get_entity(
            queries.PRODUCT, "A_Product", adjustment.sku, select=("Product", "BaseUnit")
        )
        unit = adjustment.unit or str(product.data.get("BaseUnit") or "")
        place = (adjustment.sku, plant, storage_location)
        posted = await self._posted(adjustment, place)
        if posted is not None:
            return await self._level(place, unit, None)
        body = material_document_body(
            adjustment, plant, storage_location, unit, self._types, self._today()
        )
        try:
            created = await self._client.create(MATERIAL_DOCUMENT, HEADERS, body)
        except UnknownOutcome:
            found = await self._posted(adjustment, place)
            if found is None:
                raise
            return await self._level(
                place, unit, self._mapped(lambda: document_time(found, self._zone))
            )
        except ValidationRejected as exc:
            if exc.code in LOCATION_CODES:
                raise NotFound(
                    f"location {adjustment.location} does not exist: {exc.message}",
                    code=exc.code,
                    connection=self._source.connection,
                ) from exc
            raise
        stamp = self._written(lambda: document_time(created.data, self._zone))
        return await self._level(place, unit, stamp)

    def _place(self, location: str) -> tuple[str, str]:
        try:
            plant, storage_location = split_location(location)
        except ValueError as exc:
            raise ValidationRejected(str(exc), connection=self._source.connection) from exc
        if storage_location is None:
            raise ValidationRejected(
                f"SAP posts stock at a storage location: '<plant>/<storage location>', "
                f"not {location!r}",
                connection=self._source.connection,
            )
        return plant, storage_location

    def _today(self) -> dt.date:
        return dt.datetime.now(self._zone).date()

    async def _posted(self, adjustment: StockAdjustment, place: Place) -> JsonObject | None:
        """The material document already carrying the reference, if any.

        A document with the reference that moved another material or place means the reference
        was reused for a different adjustment: Conflict, rather than silently answering it.
        """
        answer = await self._client.get_collection(
            MATERIAL_DOCUMENT,
            HEADERS,
            filter=eq("MaterialDocumentHeaderText", header_text(adjustment.reference)),
            select=await self._document_select(),
            expand=ITEMS,
            top=1,
        )
        if not answer.results:
            return None
        header = answer.results[0]
        moved = self._mapped(lambda: movements(header))
        if not any((m.material, m.plant, m.storage_location) == place for m in moved):
            raise Conflict(
                f"reference {adjustment.reference!r} was already posted for another movement "
                f"(material document {header.get('MaterialDocument')})",
                connection=self._source.connection,
            )
        return header

    async def _level(self, place: Place, unit: str, stamp: dt.datetime | None) -> InventoryLevel:
        levels = await self._levels([place], {place: unit}, {place: stamp} if stamp else {})
        return levels[0]

    # -- change capture ----------------------------------------------------------------------

    async def changed_levels(
        self, filter: InventoryFilter, page: PageRequest, since: dt.datetime
    ) -> Page[InventoryLevel]:
        keyset.offsets_only(page, self._source.connection)
        if filter.skus is not None and not filter.skus:
            return Page[InventoryLevel](items=(), offset=page.offset, total=0)
        wanted_plant, wanted_location = (
            self._place_filter(filter.location) if filter.location else (None, None)
        )
        instant = since.astimezone(dt.UTC).replace(microsecond=0)
        local = instant.astimezone(self._zone)
        entered_since = any_of(
            gt("CreationDate", local.date()),
            all_of(eq("CreationDate", local.date()), ge("CreationTime", local.time())),
        )
        headers = await self._client.get_all(
            MATERIAL_DOCUMENT,
            HEADERS,
            filter=entered_since,
            select=await self._document_select(),
            expand=ITEMS,
            orderby=("CreationDate", "CreationTime", "MaterialDocument"),
        )
        latest: dict[Place, dt.datetime] = {}
        units: dict[Place, str] = {}
        skus = set(filter.skus) if filter.skus is not None else None
        documents = self._mapped(
            lambda: [(document_time(h, self._zone), movements(h)) for h in headers]
        )
        for stamp, moved in documents:
            if stamp < instant:
                continue
            for movement in moved:
                place = (movement.material, movement.plant, movement.storage_location)
                if skus is not None and movement.material not in skus:
                    continue
                if wanted_plant and movement.plant != wanted_plant:
                    continue
                if wanted_location and movement.storage_location != wanted_location:
                    continue
                if place not in latest or latest[place] < stamp:
                    latest[place] = stamp
                units.setdefault(place, movement.unit)
        ordered = sorted(latest, key=lambda p: (latest[p], _native_id(p)))
        window = ordered[page.offset : page.offset + page.limit]
        items = await self._levels(window, units, latest) if window else []
        return Page[InventoryLevel](items=tuple(items), offset=page.offset, total=len(ordered))

    def _place_filter(self, location: str) -> tuple[str, str | None]:
        try:
            return split_location(location)
        except ValueError as exc:
            raise ValidationRejected(str(exc), connection=self._source.connection) from exc

    async def _levels(
        self, places: Sequence[Place], units: dict[Place, str], stamps: dict[Place, dt.datetime]
    ) -> list[InventoryLevel]:
        """The current unrestricted-use levels of ``places``, in their order (zero if none)."""
        materials = sorted({material for material, _, _ in places})
        rows = await self._client.get_all(
            queries.STOCK.service,
            queries.STOCK.entity_set,
            filter=all_of(eq("InventoryStockType", "01"), one_of("Material", materials)),
            select=queries.STOCK.select,
            orderby=queries.STOCK.orderby,
        )
        found = self._mapped(lambda: inventory_from_sap(rows, self._source))
        by_id = {level.native_id: level for level in found}
        levels = []
        for place in places:
            native_id = _native_id(place)
            level = by_id.get(native_id)
            if level is None:
                level = InventoryLevel(
                    id=canonical_id(self._source.connection, native_id),
                    native_id=native_id,
                    source=self._source,
                    sku=place[0],
                    location=location_of(place[1], place[2]) or place[1],
                    quantity=Quantity(value=Decimal(0), unit=units.get(place) or "PC"),
                )
            levels.append(level.model_copy(update={"changed_at": stamps.get(place)}))
        return levels


def _native_id(place: Place) -> str:
    material, plant, storage_location = place
    return f"{material}@{location_of(plant, storage_location) or plant}"
