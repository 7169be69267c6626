"""Demo data of the NetSuite sandbox, as big as the SAP sandbox's: 28 customers (a few of
them persons, one inactive), 50 inventory items stocked in two locations, 30 historic sales
orders of which 20 were fulfilled and shipped and 10 of those invoiced, 24 employees with
base wage and direct-deposit account. Everything is invented; seeded from a fixed seed and
dated relative to an anchor, so two sandboxes seeded alike hold the same data.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from erp_sandbox.netsuite import transactions
from erp_sandbox.netsuite.store import stamp

SEED = 20261203
HISTORIC_ORDERS = 30
LOCATIONS = ((1, "WH/Boston"), (2, "WH/Denver"))
USD = 1

COMPANIES = (
    "Acme Industrial Supply", "Blue Ridge Outfitters", "Cascade Marine Systems",
    "Delta Office Products", "Evergreen Garden Center", "Frontier Tool & Die",
    "Granite State Hardware", "Harbor Light Electric", "Iron Range Fabrication",
    "Juniper Medical Devices", "Keystone Building Co", "Lakeside Restaurant Group",
    "Magnolia Home Goods", "Northwind Traders", "Oakridge Pharmacy", "Pioneer Auto Parts",
    "Quarry Stone Works", "Redwood Furniture", "Summit Sporting Goods", "Tidewater Seafood",
    "Union Square Bakery", "Valley Farm Equipment", "Westgate Printing", "Yellowstone Tours",
)  # fmt: skip
PERSONS = (("Maria", "Lopez"), ("James", "Carter"), ("Aiko", "Tanaka"), ("Sam", "Okafor"))
CITIES = (
    ("Boston", "02108", "MA", "Tremont Street"), ("Denver", "80202", "CO", "Larimer Street"),
    ("Seattle", "98101", "WA", "Pike Street"), ("Austin", "78701", "TX", "Congress Avenue"),
    ("Chicago", "60601", "IL", "Michigan Avenue"), ("Portland", "97204", "OR", "Morrison St"),
)  # fmt: skip
GOODS = (
    ("Hex Bolt M8", "Fasteners"), ("Wood Screw 4x40", "Fasteners"),
    ("Anchor Plug 8mm", "Fasteners"),
    ("Cordless Drill 18V", "Power Tools"), ("Angle Grinder 125", "Power Tools"),
    ("Work Gloves L", "Safety"), ("Safety Glasses", "Safety"), ("Ear Defenders", "Safety"),
    ("Cable Tie 200mm", "Electrical"), ("Junction Box IP65", "Electrical"),
)  # fmt: skip
NON_TAXABLE_FROM = 45
"""Items ``NS-1046`` to ``NS-1050`` are sold without sales tax (``istaxable = 'F'``)."""
DEPARTMENTS = ((1, "Sales"), (2, "Operations"), (3, "Finance"), (4, "Engineering"))
FIRST = ("Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason",
         "Amelia", "Logan", "Harper", "Ethan", "Evelyn", "Aiden", "Abigail", "Jacob", "Ella",
         "Michael", "Grace", "Daniel", "Chloe", "Henry")  # fmt: skip
LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
        "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White")  # fmt: skip
TITLES = ("Account Executive", "Warehouse Lead", "Accountant", "Engineer")


def seed(db: sqlite3.Connection, anchor: datetime | None = None) -> None:
    """Fill an empty database with the demo data, dated relative to ``anchor``."""
    anchor = (anchor or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(SEED)
    start = anchor - timedelta(days=400)
    db.execute("INSERT INTO currency VALUES (1, 'USD', 'US Dollar')")
    db.execute("INSERT INTO subsidiary VALUES (1, 'Honeycomb Mfg. (US)', 1)")
    for number, name in LOCATIONS:
        db.execute(
            "INSERT INTO location (id, name, fullname, subsidiary) VALUES (?, ?, ?, 1)",
            (number, name, name.replace("/", " : ")),
        )
    _customers(db, rng, start)
    items = _items(db, rng, start)
    _employees(db, rng, anchor)
    _history(db, rng, anchor, items)
    db.execute("INSERT INTO meta VALUES ('seeded', ?)", (anchor.isoformat(),))


def _customers(db: sqlite3.Connection, rng: random.Random, start: datetime) -> None:
    names: list[tuple[str, str | None, str | None]] = [(c, None, None) for c in COMPANIES]
    names += [(f"{first} {last}", first, last) for first, last in PERSONS]
    for index, (name, first, last) in enumerate(names):
        number = 100 + index
        city, zip_code, state, street = CITIES[index % len(CITIES)]
        db.execute(
            "INSERT INTO entityaddress VALUES (?, ?, ?, ?, ?, 'US')",
            (5000 + index, f"{rng.randint(1, 999)} {street}", city, zip_code, state),
        )
        created = stamp(start + timedelta(days=index))
        limit = None if index % 9 == 8 else float(rng.randrange(10, 200) * 500)
        db.execute(
            "INSERT INTO customer (id, entityid, companyname, isperson, firstname, lastname,"
            " email, isinactive, creditlimit, creditholdoverride, currency, subsidiary,"
            " defaultbillingaddress, datecreated, lastmodifieddate)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?)",
            (
                number,
                f"CUST{number}",
                None if first else name,
                "T" if first else "F",
                first,
                last,
                f"ap@{name.split()[0].lower()}.example.com",
                "T" if index == 23 else "F",
                limit,
                "ON" if index == 17 else "AUTO",
                5000 + index,
                created,
                created,
            ),
        )


def _items(db: sqlite3.Connection, rng: random.Random, start: datetime) -> list[int]:
    classes = sorted({group for _, group in GOODS})
    for number, name in enumerate(classes, start=1):
        db.execute("INSERT INTO classification VALUES (?, ?)", (number, name))
    ids: list[int] = []
    for index in range(50):
        name, group = GOODS[index % len(GOODS)]
        number = 200 + index
        sku = f"NS-{1001 + index}"
        db.execute(
            "INSERT INTO item (id, itemid, displayname, itemtype, class, weight, weightunit,"
            " stockunit, lastmodifieddate, istaxable)"
            " VALUES (?, ?, ?, 'InvtPart', ?, ?, 'lb', 'ea', ?, ?)",
            (
                number,
                sku,
                f"{name} ({chr(65 + index // len(GOODS))})",
                classes.index(group) + 1,
                round(rng.uniform(0.1, 12.0), 2),
                stamp(start),
                "F" if index >= NON_TAXABLE_FROM else "T",
            ),
        )
        price = Decimal(rng.randrange(199, 49999)) / 100
        db.execute("INSERT INTO pricing VALUES (?, 1, 1, ?)", (number, float(price)))
        for location, _ in LOCATIONS:
            quantity = rng.randrange(40, 400) if location == 1 else rng.randrange(0, 60)
            db.execute(
                "INSERT INTO inventoryitemlocations VALUES (?, ?, ?, 0, ?, ?)",
                (number, location, quantity, quantity, stamp(start)),
            )
        ids.append(number)
    return ids


def _employees(db: sqlite3.Connection, rng: random.Random, anchor: datetime) -> None:
    for number, name in DEPARTMENTS:
        db.execute("INSERT INTO department VALUES (?, ?)", (number, name))
    for index, (first, last) in enumerate(zip(FIRST, LAST, strict=True)):
        number = 900 + index
        department = 1 + index % len(DEPARTMENTS)
        hourly = index % 6 == 5
        wage = rng.randrange(18, 45) if hourly else rng.randrange(48, 140) * 1000
        hired = (anchor - timedelta(days=rng.randrange(60, 3000))).date()
        released = None if index != 20 else (anchor - timedelta(days=30)).date().isoformat()
        db.execute(
            "INSERT INTO employee (id, entityid, firstname, lastname, title, department,"
            " subsidiary, hiredate, releasedate, isinactive, employeestatus, basewage,"
            " basewagetype, payfrequency, currency, lastmodifieddate)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            (
                number,
                f"EMP-{number}",
                first,
                last,
                TITLES[department - 1],
                department,
                hired.isoformat(),
                released,
                "T" if released else "F",
                "Terminated" if released else ("Leave" if index == 13 else "Active"),
                float(wage),
                "Hourly" if hourly else "Salary",
                "Biweekly",
                stamp(anchor - timedelta(days=10)),
            ),
        )
        db.execute(
            "INSERT INTO employeedirectdeposit (employee, bankname, accountnumber,"
            " routingnumber, country) VALUES (?, ?, ?, ?, 'US')",
            (
                number,
                ("First Republic", "Chase", "Wells Fargo")[index % 3],
                str(rng.randrange(10**9, 10**10)),
                ("021000021", "121000248", "011000138")[index % 3],
            ),
        )


def _history(
    db: sqlite3.Connection, rng: random.Random, anchor: datetime, items: list[int]
) -> None:
    midnight = anchor.replace(hour=0, minute=0, second=0)
    offsets = sorted(rng.sample(range(12, 91), HISTORIC_ORDERS - 10), reverse=True)
    offsets += sorted(rng.sample(range(1, 12), 10), reverse=True)
    billed = set(rng.sample(range(HISTORIC_ORDERS - 10), 10))
    for index, offset in enumerate(offsets):
        when = midnight - timedelta(days=offset, hours=-rng.randint(8, 16))
        body = {
            "entity": {"id": str(100 + rng.randrange(23))},
            "item": {
                "items": [
                    {"item": {"id": str(item)}, "quantity": rng.randint(1, 5),
                     "location": {"id": "1"}}
                    for item in rng.sample(items, rng.randint(1, 3))
                ]
            },
        }  # fmt: skip
        order = transactions.create_sales_order(db, body, when)
        if index >= HISTORIC_ORDERS - 10:
            continue
        shipped = when + timedelta(days=rng.randint(1, 3))
        fulfillment = transactions.fulfil(db, order, {"shipStatus": {"id": "A"}}, shipped)
        transactions.set_ship_status(db, fulfillment, "C", shipped + timedelta(hours=2))
        if index in billed:
            transactions.bill(db, order, shipped + timedelta(days=rng.randint(1, 4)))
