"""The fixed catalogue behind the seed: customers, suppliers and products.

All companies and people are invented; cities, postal codes and streets are real places so
addresses look plausible. Business partners are numbered ``10100001`` upward (customers) and
``10300001`` upward (suppliers, which have no customer role). Products ``TG11``-``TG35`` are
trading goods (``HAWA``), ``FG11``-``FG35`` finished goods (``FERT``). Products carry the tax
classification ``1`` (full tax) except coffee and tea (``FG19``-``FG22``, ``2`` reduced tax) and
the gift card ``FG35`` (``0`` no tax: a multi-purpose voucher is taxed when it is redeemed).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Partner:
    """A business partner: name, category (``1`` person, ``2`` organisation) and address."""

    name: str
    category: str
    country: str
    city: str
    postal_code: str
    region: str
    street: str
    blocked: bool = False


@dataclass(frozen=True)
class Article:
    """A product: description, type, group, base unit, gross weight (KG), EUR price and tax
    classification (``1`` full, ``2`` reduced, ``0`` no tax)."""

    description: str
    product_type: str
    group: str
    unit: str
    weight: Decimal
    price: Decimal
    tax: str = "1"


def _partner(
    name: str,
    category: str,
    country: str,
    city: str,
    postal_code: str,
    region: str,
    street: str,
    *,
    blocked: bool = False,
) -> Partner:
    return Partner(name, category, country, city, postal_code, region, street, blocked)


CUSTOMERS: tuple[Partner, ...] = (
    _partner("Müller Maschinenbau GmbH", "2", "DE", "Stuttgart", "70173", "BW", "Königstraße"),
    _partner("Rheinland Logistik AG", "2", "DE", "Köln", "50667", "NW", "Hohe Straße"),
    _partner("Bäckerei Hofmann KG", "2", "DE", "München", "80331", "BY", "Sendlinger Straße"),
    _partner("Nordsee Elektrotechnik GmbH", "2", "DE", "Hamburg", "20095", "HH", "Spitalerstraße"),
    _partner("Anna Schmidt", "1", "DE", "Berlin", "10117", "BE", "Friedrichstraße"),
    _partner("Lukas Weber", "1", "DE", "Leipzig", "04109", "SN", "Grimmaische Straße"),
    _partner("Brightwater Supplies Inc.", "2", "US", "Denver", "80202", "CO", "Larimer Street"),
    _partner("Pacific Coast Hardware LLC", "2", "US", "San Diego", "92101", "CA", "Market Street"),
    _partner("Great Lakes Industrial Corp.", "2", "US", "Chicago", "60601", "IL", "Wacker Drive"),
    _partner("Hudson Office Solutions Inc.", "2", "US", "New York", "10001", "NY", "W 34th Street"),
    _partner("John Carter", "1", "US", "Austin", "78701", "TX", "Congress Avenue"),
    _partner("Atelier Lumière SARL", "2", "FR", "Lyon", "69002", "", "Rue de la République"),
    _partner("Transports Garnier SA", "2", "FR", "Marseille", "13001", "", "La Canebière"),
    _partner("Claire Dubois", "1", "FR", "Paris", "75004", "", "Rue de Rivoli"),
    _partner("Thames Valley Tools Ltd", "2", "GB", "Reading", "RG1 1AA", "", "Broad Street"),
    _partner("Pennine Outdoor Equipment Ltd", "2", "GB", "Manchester", "M3 2BB", "", "Deansgate"),
    _partner("Oliver Bennett", "1", "GB", "Edinburgh", "EH2 2ER", "", "Princes Street"),
    _partner("Van der Berg Techniek B.V.", "2", "NL", "Utrecht", "3511 AA", "", "Oudegracht"),
    _partner("Dijkstra Groothandel B.V.", "2", "NL", "Rotterdam", "3011 AD", "", "Coolsingel"),
    _partner("Sanne de Vries", "1", "NL", "Amsterdam", "1012 JS", "", "Damrak"),
    _partner("Alpenland Handels GmbH", "2", "AT", "Wien", "1010", "", "Kärntner Straße"),
    _partner("Helvetia Präzision AG", "2", "CH", "Zürich", "8001", "ZH", "Bahnhofstrasse"),
    _partner("Officine Rossi S.r.l.", "2", "IT", "Milano", "20121", "MI", "Via Alessandro Manzoni"),
    _partner("Distribuciones Iberia S.L.", "2", "ES", "Madrid", "28013", "", "Gran Vía"),
    _partner("Brugse Bouwmaterialen NV", "2", "BE", "Brugge", "8000", "", "Steenstraat"),
    _partner("Nordic Kitchenware AB", "2", "SE", "Göteborg", "411 06", "", "Kungsgatan"),
    _partner("Kowalski Instalacje Sp. z o.o.", "2", "PL", "Kraków", "31-019", "", "Floriańska"),
    _partner(
        "Hanse Handelskontor GmbH", "2", "DE", "Bremen", "28195", "HB", "Obernstraße", blocked=True
    ),
)
"""Customers ``10100001`` to ``10100028``; the last one is blocked for sales."""

SUPPLIERS: tuple[Partner, ...] = (
    _partner("Schäfer Stahlhandel GmbH", "2", "DE", "Dortmund", "44135", "NW", "Westenhellweg"),
    _partner("Everbright Components Ltd", "2", "GB", "Birmingham", "B2 4QA", "", "New Street"),
    _partner("Kaffeerösterei Brandt GmbH", "2", "DE", "Bremen", "28195", "HB", "Sögestraße"),
    _partner("Lindqvist Trävaror AB", "2", "SE", "Uppsala", "753 20", "", "Drottninggatan"),
)
"""Business partners ``10300001`` to ``10300004`` without a customer role."""


def _article(
    description: str, kind: str, group: str, unit: str, weight: str, price: str, tax: str = "1"
) -> Article:
    return Article(description, kind, group, unit, Decimal(weight), Decimal(price), tax)


TRADING_GOODS: tuple[Article, ...] = (
    _article("Cordless Drill 18V", "HAWA", "L001", "PC", "1.8", "129.00"),
    _article("Impact Driver 18V", "HAWA", "L001", "PC", "1.5", "149.00"),
    _article("Angle Grinder 125mm", "HAWA", "L001", "PC", "2.4", "89.00"),
    _article("Orbital Sander 300W", "HAWA", "L001", "PC", "1.6", "69.00"),
    _article("Circular Saw 190mm", "HAWA", "L001", "PC", "4.2", "159.00"),
    _article("Jigsaw 650W", "HAWA", "L001", "PC", "2.3", "99.00"),
    _article("Claw Hammer 16oz", "HAWA", "L002", "PC", "0.7", "19.90"),
    _article("Screwdriver Set 12 pcs", "HAWA", "L002", "PC", "0.9", "24.50"),
    _article("Adjustable Wrench 10in", "HAWA", "L002", "PC", "0.5", "16.80"),
    _article("Spirit Level 600mm", "HAWA", "L002", "PC", "0.6", "21.00"),
    _article("Tape Measure 8m", "HAWA", "L002", "PC", "0.3", "9.90"),
    _article("Safety Goggles Clear", "HAWA", "L003", "PC", "0.1", "6.50"),
    _article("Nitrile Work Gloves (pair)", "HAWA", "L003", "PC", "0.1", "3.20"),
    _article("Hard Hat EN397", "HAWA", "L003", "PC", "0.4", "14.90"),
    _article("Ear Defenders SNR 30", "HAWA", "L003", "PC", "0.3", "18.40"),
    _article("LED Work Light 20W", "HAWA", "L004", "PC", "1.1", "34.90"),
    _article("Extension Cable 25m", "HAWA", "L004", "PC", "2.9", "42.00"),
    _article("Power Strip 6-Way", "HAWA", "L004", "PC", "0.6", "17.50"),
    _article("Hex Bolts M8 Zinc (bulk)", "HAWA", "L005", "KG", "1.0", "7.80"),
    _article("Wood Screws 4x40 (bulk)", "HAWA", "L005", "KG", "1.0", "9.60"),
    _article("Stainless Washers M10 (bulk)", "HAWA", "L005", "KG", "1.0", "12.40"),
    _article("Copper Wire 2.5mm2", "HAWA", "L004", "KG", "1.0", "11.20"),
    _article("Cable Ties 200mm (100 pcs)", "HAWA", "L004", "PC", "0.2", "4.90"),
    _article("Workshop Trolley 5 Drawers", "HAWA", "L001", "PC", "38.0", "289.00"),
    _article("Hand Pallet Truck 2.5t", "HAWA", "L001", "PC", "68.0", "349.00"),
)
"""Products ``TG11`` to ``TG35``."""

FINISHED_GOODS: tuple[Article, ...] = (
    _article("City Bike 28in", "FERT", "P001", "PC", "16.5", "549.00"),
    _article("Mountain Bike 29in", "FERT", "P001", "PC", "14.2", "899.00"),
    _article("E-Bike Trekking 500Wh", "FERT", "P001", "PC", "24.0", "2199.00"),
    _article("Kids Bike 20in", "FERT", "P001", "PC", "10.1", "249.00"),
    _article("Bike Helmet Urban", "FERT", "P002", "PC", "0.4", "59.00"),
    _article("U-Lock Hardened Steel", "FERT", "P002", "PC", "1.2", "39.90"),
    _article("Pannier Bag 20l", "FERT", "P002", "PC", "0.9", "64.00"),
    _article("LED Bike Light Set", "FERT", "P002", "PC", "0.2", "29.90"),
    _article("Espresso Roast Beans", "FERT", "P003", "KG", "1.0", "18.50", "2"),
    _article("Filter Coffee Ground", "FERT", "P003", "KG", "1.0", "12.90", "2"),
    _article("Decaf Coffee Beans", "FERT", "P003", "KG", "1.0", "19.80", "2"),
    _article("Green Tea Sencha", "FERT", "P003", "KG", "1.0", "34.00", "2"),
    _article("Office Chair Ergonomic", "FERT", "P004", "PC", "17.0", "329.00"),
    _article("Standing Desk 160x80", "FERT", "P004", "PC", "38.5", "699.00"),
    _article("Monitor Arm Dual", "FERT", "P004", "PC", "4.8", "119.00"),
    _article("Desk Lamp LED", "FERT", "P004", "PC", "1.3", "49.00"),
    _article("Filing Cabinet 3 Drawers", "FERT", "P004", "PC", "22.0", "189.00"),
    _article("Conference Table 240cm", "FERT", "P004", "PC", "61.0", "1249.00"),
    _article("Whiteboard 120x90", "FERT", "P004", "PC", "9.5", "89.00"),
    _article("Steel Water Bottle 0.75l", "FERT", "P005", "PC", "0.3", "19.90"),
    _article("Insulated Lunch Box", "FERT", "P005", "PC", "0.5", "24.90"),
    _article("Chef's Knife 20cm", "FERT", "P005", "PC", "0.3", "79.00"),
    _article("Cast Iron Pan 28cm", "FERT", "P005", "PC", "2.9", "69.00"),
    _article("Oak Cutting Board", "FERT", "P005", "PC", "1.4", "44.00"),
    _article("Gift Card 50 EUR", "FERT", "P005", "PC", "0.1", "50.00", "0"),
)
"""Products ``FG11`` to ``FG35``."""

LOW_STOCK_PRODUCT = "TG35"
"""A product kept nearly out of stock (3 in 1010/0001, 1 in 1710/171A) for shortage demos."""


def products() -> list[tuple[str, Article]]:
    """All products with their numbers."""
    return [(f"TG{11 + index}", article) for index, article in enumerate(TRADING_GOODS)] + [
        (f"FG{11 + index}", article) for index, article in enumerate(FINISHED_GOODS)
    ]


def customers() -> list[tuple[str, Partner]]:
    """All customers with their business partner numbers."""
    return [(str(10100001 + index), partner) for index, partner in enumerate(CUSTOMERS)]


def suppliers() -> list[tuple[str, Partner]]:
    """All suppliers with their business partner numbers."""
    return [(str(10300001 + index), partner) for index, partner in enumerate(SUPPLIERS)]
