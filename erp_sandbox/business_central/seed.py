"""Demo data of the sandbox's company, the size of the SAP sandbox's: 30 customers, 50 items
stocked in two locations (MAIN and EAST), 30 historic sales orders (some shipped, some shipped
and invoiced) and 12 employees. Names are invented; the data is the same for every seed
anchor, only dated relative to it.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from erp_sandbox.business_central import vat
from erp_sandbox.business_central.posting import ship_and_invoice
from erp_sandbox.business_central.settings import COMPANY
from erp_sandbox.business_central.store import Store

HISTORIC_ORDERS = 30
LOCATIONS = (("MAIN", "Main Warehouse", "London"), ("EAST", "East Warehouse", "Norwich"))
_NIL = "00000000-0000-0000-0000-000000000000"

_CUSTOMERS = (
    ("Adatum Corporation", "Company", "GB", "London", "N16 34Z"),
    ("Trey Research", "Company", "GB", "Manchester", "M3 2BB"),
    ("School of Fine Art", "Company", "GB", "Edinburgh", "EH2 2ER"),
    ("Alpine Ski House", "Company", "DE", "München", "80331"),
    ("Relecloud", "Company", "US", "Seattle", "98101"),
    ("Coho Winery", "Company", "US", "Napa", "94559"),
    ("Fabrikam Residences", "Company", "NL", "Utrecht", "3511 AA"),
    ("Northwind Traders", "Company", "GB", "Reading", "RG1 1AA"),
    ("Contoso Pharmaceuticals", "Company", "FR", "Lyon", "69002"),
    ("Litware Inc.", "Company", "US", "Denver", "80202"),
    ("Wide World Importers", "Company", "DK", "Aarhus", "8000"),
    ("Tailspin Toys", "Company", "GB", "Bristol", "BS1 4DJ"),
    ("Proseware Inc.", "Company", "US", "Chicago", "60601"),
    ("Lamna Healthcare", "Company", "SE", "Malmö", "211 22"),
    ("Woodgrove Bank", "Company", "GB", "Leeds", "LS1 4AP"),
    ("Margie's Travel", "Company", "US", "Austin", "78701"),
    ("Blue Yonder Airlines", "Company", "IE", "Dublin", "D02 X285"),
    ("City Power & Light", "Company", "GB", "Cardiff", "CF10 1EP"),
    ("Graphic Design Institute", "Company", "BE", "Brugge", "8000"),
    ("Humongous Insurance", "Company", "AT", "Wien", "1010"),
    ("Consolidated Messenger", "Company", "GB", "Glasgow", "G1 3SL"),
    ("VanArsdel Ltd.", "Company", "NL", "Rotterdam", "3011 AD"),
    ("Southridge Video", "Company", "ES", "Madrid", "28013"),
    ("Fourth Coffee", "Company", "IT", "Milano", "20121"),
    ("Nod Publishers", "Company", "CH", "Zürich", "8001"),
    ("Olivia Harris", "Person", "GB", "York", "YO1 7HH"),
    ("Daniel Brown", "Person", "GB", "Oxford", "OX1 3BG"),
    ("Emma Wilson", "Person", "IE", "Cork", "T12 X70A"),
    ("Noah Taylor", "Person", "GB", "Bath", "BA1 1LT"),
    ("Sofia Rossi", "Person", "IT", "Torino", "10121"),
)

_ITEM_WORDS = (
    ("ATHENS Desk", "FURNITURE"),
    ("PARIS Guest Chair", "FURNITURE"),
    ("ROME Conference Table", "FURNITURE"),
    ("TOKYO Guest Chair", "FURNITURE"),
    ("MEXICO Swivel Chair", "FURNITURE"),
    ("MUNICH Swivel Chair", "FURNITURE"),
    ("MOSCOW Swivel Chair", "FURNITURE"),
    ("SEOUL Guest Chair", "FURNITURE"),
    ("ATLANTA Whiteboard", "MISC"),
    ("LONDON Swivel Chair", "FURNITURE"),
)
_FINISHES = ("black", "white", "oak", "grey", "blue")
_PEOPLE = (
    ("Esther", "Valle", "Production Assistant"),
    ("Jim", "Olive", "Production Manager"),
    ("Otis", "Falls", "Designer"),
    ("Lina", "Townsend", "Accountant"),
    ("Terry", "Dodds", "Sales Manager"),
    ("Ian", "Deberry", "Sales Representative"),
    ("Marty", "Horst", "Warehouse Worker"),
    ("Annette", "Hill", "Secretary"),
    ("Hanne", "Berg", "Buyer"),
    ("Kim", "Abercrombie", "Controller"),
    ("Rob", "Young", "Warehouse Manager"),
    ("Sara", "Davis", "Developer"),
)


def seed(store: Store, anchor: dt.datetime) -> None:
    rng = random.Random(14)
    start = anchor - dt.timedelta(days=400)
    store.company.update(
        id=str(uuid.UUID(int=rng.getrandbits(128))),
        systemVersion="25.0.23364.24609",
        timestamp=1,
        name=COMPANY,
        displayName=COMPANY,
        businessProfileId="",
        systemCreatedAt=start,
        systemCreatedBy=_NIL,
        systemModifiedAt=start,
        systemModifiedBy=_NIL,
    )
    store.tables["companies"].append(store.company)
    for code, name, city in LOCATIONS:
        store.insert(
            "locations",
            {
                "code": code,
                "displayName": name,
                "contact": "",
                "addressLine1": "",
                "addressLine2": "",
                "city": city,
                "state": "",
                "country": "GB",
                "postalCode": "",
                "phoneNumber": "",
                "email": "",
                "website": "",
                "lastModifiedDateTime": start,
            },
        )
    for index, (name, kind, country, city, postal) in enumerate(_CUSTOMERS):
        store.insert(
            "customers",
            {
                "number": f"C{10000 + index * 10:05d}",
                "displayName": name,
                "type": kind,
                "addressLine1": f"{rng.randrange(1, 200)} High Street",
                "addressLine2": "",
                "city": city,
                "state": "",
                "country": country,
                "postalCode": postal,
                "phoneNumber": f"+44 20 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
                "email": f"info{index}@example.com",
                "website": "",
                "salespersonCode": "JO",
                "balanceDue": Decimal(0),
                "creditLimit": Decimal(0) if index % 5 == 4 else Decimal(5000 * (1 + index % 6)),
                "taxLiable": False,
                "taxAreaId": vat.group_id(vat.business_group(country)),
                "taxAreaDisplayName": vat.business_group(country),
                "taxRegistrationNumber": "",
                "currencyId": _NIL,
                "currencyCode": "",
                "paymentTermsId": _NIL,
                "shipmentMethodId": _NIL,
                "paymentMethodId": _NIL,
                "blocked": "All" if index == 24 else "_x0020_",
                "lastModifiedDateTime": start + dt.timedelta(days=index),
            },
        )
    locations = store.rows("locations")
    for index in range(50):
        word, category = _ITEM_WORDS[index % len(_ITEM_WORDS)]
        price = Decimal(rng.randrange(40, 1500)) + Decimal("0.50") * (index % 2)
        item = store.insert(
            "items",
            {
                "number": f"{1900 + index * 4}-S",
                "displayName": f"{word}, {_FINISHES[index // len(_ITEM_WORDS)]}",
                "displayName2": "",
                "type": "Inventory",
                "itemCategoryId": _NIL,
                "itemCategoryCode": category,
                "blocked": False,
                "gtin": "",
                "inventory": Decimal(0),
                "unitPrice": price,
                "priceIncludesTax": False,
                "unitCost": (price * Decimal("0.6")).quantize(Decimal("0.01")),
                "taxGroupId": vat.group_id(vat.product_group(category)),
                "taxGroupCode": vat.product_group(category),
                "baseUnitOfMeasureId": "b1a0c1d2-0000-0000-0000-00000000000" + "1",
                "baseUnitOfMeasureCode": "PCS",
                "generalProductPostingGroupId": _NIL,
                "generalProductPostingGroupCode": "RETAIL",
                "inventoryPostingGroupId": _NIL,
                "inventoryPostingGroupCode": "RESALE",
                "lastModifiedDateTime": start,
            },
        )
        for location in locations:
            quantity = Decimal(
                rng.randrange(20, 200) if location["code"] == "MAIN" else rng.randrange(0, 40)
            )
            if quantity:
                store.post_ledger(
                    item,
                    location["code"],
                    quantity,
                    "Positive_x0020_Adjmt_x002E_",
                    ("_x0020_", "START"),
                    "",
                    start,
                )
    _orders(store, rng, anchor)
    for index, (given, surname, title) in enumerate(_PEOPLE):
        store.insert(
            "employees",
            {
                "number": f"{index + 1}",
                "displayName": f"{given} {surname}",
                "givenName": given,
                "middleName": "",
                "surname": surname,
                "jobTitle": title,
                "addressLine1": f"{rng.randrange(1, 90)} Station Road",
                "addressLine2": "",
                "city": "London",
                "state": "",
                "country": "GB",
                "postalCode": "W1 3AL",
                "phoneNumber": "",
                "mobilePhone": "",
                "email": f"{given.lower()}@cronus.example.com",
                "personalEmail": "",
                "employmentDate": (start - dt.timedelta(days=300 * index)).date(),
                "terminationDate": None,
                "status": "Inactive" if index == 11 else "Active",
                "birthDate": dt.date(1970 + index, 1 + index % 12, 1 + index),
                "statisticsGroupCode": "",
                "lastModifiedDateTime": start,
            },
        )


def _orders(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    customers = [c for c in store.rows("customers") if c["blocked"] != "All"]
    items = store.rows("items")
    main = store.find("locations", "code", "MAIN")
    assert main is not None
    offsets = sorted(rng.sample(range(2, 120), HISTORIC_ORDERS), reverse=True)
    for index, days in enumerate(offsets):
        when = anchor - dt.timedelta(days=days, hours=rng.randrange(0, 8))
        lines = [
            {
                "lineObjectNumber": item["number"],
                "quantity": rng.randrange(1, 6),
                "locationId": main["id"],
            }
            for item in rng.sample(items, rng.randrange(1, 4))
        ]
        order = store.create_order(
            {"customerNumber": rng.choice(customers)["number"], "salesOrderLines": lines}, when
        )
        if index < 20:  # the older two thirds are shipped; half of those invoiced as well
            for line in store.lines("salesOrderLines", order["id"]):
                line["invoiceQuantity"] = line["quantity"] if index % 2 == 0 else Decimal(0)
            ship_and_invoice(store, order, when + dt.timedelta(days=1))
